// Cluster behaviour on the simulated clock, driven in-process (no HTTP).
import { describe, expect, it } from 'vitest'
import { Simulation } from '../../src/simulator/simulation.js'
import type { KubeObject } from '../../src/simulator/store.js'

const START = new Date('2026-03-02T09:00:00Z')
const newSim = (options: ConstructorParameters<typeof Simulation>[0] = {}) => new Simulation({ seed: 7, startTime: START, ...options })

const podsOn = (sim: Simulation, node: string) => sim.pods.byIndex(node)
const workloadPods = (sim: Simulation, node: string) => podsOn(sim, node).filter((p) => p.metadata.ownerReferences?.[0]?.kind !== 'DaemonSet')
const owner = (p: KubeObject) => p.metadata.ownerReferences?.[0]?.name
const byOwner = (sim: Simulation, name: string | undefined) => sim.pods.list().filter((p) => owner(p) === name)

function taint(sim: Simulation, node: string, taints: object[]): void {
  const current = sim.nodes.mustGet(undefined, node)
  sim.nodes.update(sim.admitUpdate(sim.nodes.type, { ...current, spec: { ...current.spec, taints } }, current, 'main'))
}

describe('seeded cluster', () => {
  it('has the default shape: 2 system, 6 GPU (8 GPUs each), 2 CPU nodes with role labels', () => {
    const state = newSim().state()
    expect(state.nodes.map((n) => `${n.name}:${n.roles.join()}:${n.gpus}`)).toEqual([
      'cpu-1:runai-cpu-worker:0',
      'cpu-2:runai-cpu-worker:0',
      'gpu-1:runai-gpu-worker:8',
      'gpu-2:runai-gpu-worker:8',
      'gpu-3:runai-gpu-worker:8',
      'gpu-4:runai-gpu-worker:8',
      'gpu-5:runai-gpu-worker:8',
      'gpu-6:runai-gpu-worker:8',
      'sys-1:runai-system:0',
      'sys-2:runai-system:0',
    ])
    expect(state.nodes.every((n) => n.ready && n.gpusUsed <= 6)).toBe(true)
  })

  it('holds a Run:ai workload mix with owners, priority classes, projects and GPU requests', () => {
    const pods = newSim().pods.list()
    const classes = new Set(pods.map((p) => p.spec.priorityClassName))
    expect([...classes].sort()).toEqual(['build', 'inference', 'interactive-preemptible', 'system-cluster-critical', 'system-node-critical', 'train'])
    const ownerKinds = new Set(pods.map((p) => p.metadata.ownerReferences?.[0]?.kind))
    expect([...ownerKinds].sort()).toEqual(['DaemonSet', 'InferenceWorkload', 'InteractiveWorkload', 'Job', 'ReplicaSet', 'TrainingWorkload'])
    const training = pods.filter((p) => p.spec.priorityClassName === 'train')
    expect(training.every((p) => p.spec.schedulerName === 'runai-scheduler' && p.metadata.labels?.project && p.metadata.labels['runai/queue'])).toBe(true)
    expect(training.every((p) => Number(p.spec.containers[0].resources.requests['nvidia.com/gpu']) >= 1)).toBe(true)
    // Some training is distributed: one owner, pods on two nodes.
    const distributed = [...new Set(training.map(owner))].filter((o) => new Set(byOwnerIn(pods, o).map((p) => p.spec.nodeName)).size > 1)
    expect(distributed.length).toBeGreaterThan(0)
    // DaemonSet pods on every node, tolerating everything.
    const daemons = pods.filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet')
    expect(daemons).toHaveLength(20)
    expect(daemons.every((p) => p.spec.tolerations.some((t: { operator?: string; key?: string }) => t.operator === 'Exists' && !t.key))).toBe(true)
  })

  it('is the same cluster for the same seed and a different one for another seed', () => {
    const names = (seed: number) => newSim({ seed }).pods.list().map((p) => p.metadata.name)
    expect(names(7)).toEqual(names(7))
    expect(names(7)).not.toEqual(names(8))
  })

  it('scales the workload with podsPerGpuNode', () => {
    const sim = newSim({ systemNodes: 1, gpuNodes: 10, cpuNodes: 1, podsPerGpuNode: 12 })
    expect(sim.pods.size).toBe(12 * 10 + 2 * 12 + 2)
    expect(sim.state().nodes.filter((n) => n.name.startsWith('gpu')).every((n) => n.gpusUsed === 8)).toBe(true)
  })
})

function byOwnerIn(pods: KubeObject[], name: string | undefined): KubeObject[] {
  return pods.filter((p) => owner(p) === name)
}

describe('taint manager and scheduler', () => {
  it('a NoExecute taint evicts non-tolerating pods at once; training is resubmitted elsewhere, interactive is not', () => {
    const sim = newSim()
    const before = workloadPods(sim, 'gpu-1')
    taint(sim, 'gpu-1', [{ key: 'runai', value: 'drain', effect: 'NoExecute' }])
    expect(workloadPods(sim, 'gpu-1')).toEqual([])
    for (const pod of before) {
      const now = byOwner(sim, owner(pod))
      if (pod.spec.priorityClassName === 'train') {
        expect(now.length).toBeGreaterThan(0)
        expect(now.every((p) => p.spec.nodeName && p.spec.nodeName !== 'gpu-1' && p.status.phase === 'Running')).toBe(true)
        expect(now.map((p) => p.metadata.uid)).not.toContain(pod.metadata.uid)
      } else {
        expect(now).toEqual([])
      }
    }
  })

  it('acts on API writes after answering them, a slice at a time, until nothing is left', async () => {
    // A 0 ms slice is one controller step: here, one node's taint manager.
    const sim = newSim({ controllerSliceMs: 0 })
    const drain = [{ key: 'runai', value: 'drain', effect: 'NoExecute' }]
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve))
    sim.asApiRequest(() => {
      taint(sim, 'gpu-1', drain)
      taint(sim, 'gpu-2', drain)
    })
    expect(workloadPods(sim, 'gpu-1').length).toBeGreaterThan(0)
    expect(workloadPods(sim, 'gpu-2').length).toBeGreaterThan(0)
    await nextTurn()
    expect(workloadPods(sim, 'gpu-1')).toEqual([])
    expect(workloadPods(sim, 'gpu-2').length).toBeGreaterThan(0)
    // Two taint managers, a resubmission per evicted training pod and scheduler passes: far fewer steps than this.
    for (let turn = 0; turn < 200; turn++) await nextTurn()
    expect(workloadPods(sim, 'gpu-2')).toEqual([])
    // The same steps in the same order as in one unbounded slice: the same end state.
    const whole = newSim({ controllerSliceMs: Infinity })
    whole.asApiRequest(() => {
      taint(whole, 'gpu-1', drain)
      taint(whole, 'gpu-2', drain)
    })
    await nextTurn()
    expect(whole.state().pods.pending).toBe(0)
    expect(sim.state()).toEqual(whole.state())
  })

  it('honours tolerationSeconds on the simulated clock', () => {
    const sim = newSim()
    const [pod] = workloadPods(sim, 'gpu-1').filter((p) => p.spec.priorityClassName === 'train')
    sim.pods.update({ ...pod!, spec: { ...pod!.spec, tolerations: [{ key: 'runai', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 120 }] } })
    taint(sim, 'gpu-1', [{ key: 'runai', value: 'drain', effect: 'NoExecute' }])
    expect(sim.pods.get(pod!.metadata.namespace, pod!.metadata.name)).toBeDefined()
    sim.clock.advance(119)
    expect(sim.pods.get(pod!.metadata.namespace, pod!.metadata.name)).toBeDefined()
    sim.clock.advance(1)
    expect(sim.pods.get(pod!.metadata.namespace, pod!.metadata.name)).toBeUndefined()
  })

  it('a NoSchedule taint evicts nothing', () => {
    const sim = newSim()
    const before = podsOn(sim, 'gpu-1').length
    taint(sim, 'gpu-1', [{ key: 'maintenance', effect: 'NoSchedule' }])
    expect(podsOn(sim, 'gpu-1')).toHaveLength(before)
  })

  it('keeps a resubmitted pod Pending when no node has free GPUs, and places it when one frees up', () => {
    const sim = newSim({ gpuNodes: 2, gpusPerNode: 8 })
    // Fill gpu-2 completely by cordoning everything else: only gpu-1 can take work.
    const cordon = (name: string, on: boolean) => {
      const n = sim.nodes.mustGet(undefined, name)
      sim.nodes.update({ ...n, spec: { ...n.spec, unschedulable: on || undefined } })
    }
    cordon('gpu-2', true)
    const training = workloadPods(sim, 'gpu-1').filter((p) => p.spec.priorityClassName === 'train')
    taint(sim, 'gpu-1', [{ key: 'runai', value: 'drain', effect: 'NoExecute' }])
    const pending = sim.pods.list().filter((p) => !p.spec.nodeName)
    expect(pending.map(owner).sort()).toEqual(training.map(owner).sort())
    expect(pending.every((p) => p.status.phase === 'Pending')).toBe(true)
    expect(pending[0]!.status.conditions[0]).toMatchObject({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' })
    expect(sim.state().pods.pending).toBe(pending.length)
    cordon('gpu-2', false)
    expect(sim.state().pods.pending).toBe(0)
    expect(training.every((t) => byOwner(sim, owner(t)).every((p) => p.spec.nodeName === 'gpu-2'))).toBe(true)
  })

  it('places pending pods by the node as it is now: a taint added to a node blocks it, lifting the taint opens it again', () => {
    const sim = newSim({ gpuNodes: 2, gpusPerNode: 8 })
    // A pod created through the API is placed: the scheduler has looked at the nodes once.
    sim.pods.create(sim.admitCreate(sim.pods.type, { metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, 'default'))
    const training = workloadPods(sim, 'gpu-1').filter((p) => p.spec.priorityClassName === 'train')
    taint(sim, 'gpu-2', [{ key: 'maintenance', effect: 'NoSchedule' }])
    taint(sim, 'gpu-1', [{ key: 'runai', value: 'drain', effect: 'NoExecute' }])
    const pending = sim.pods.list().filter((p) => !p.spec.nodeName)
    expect(pending.map(owner).sort()).toEqual(training.map(owner).sort())
    taint(sim, 'gpu-2', [])
    expect(sim.state().pods.pending).toBe(0)
    expect(training.every((t) => byOwner(sim, owner(t)).every((p) => p.spec.nodeName === 'gpu-2'))).toBe(true)
  })

  it('a pending pod that tolerates a taint is placed even when one that does not found no room just before it', () => {
    const sim = newSim({ gpuNodes: 2, gpusPerNode: 8 })
    const setNode = (name: string, spec: Record<string, unknown>) => {
      const n = sim.nodes.mustGet(undefined, name)
      sim.nodes.update({ ...n, spec: { ...n.spec, ...spec } })
    }
    setNode('gpu-1', { unschedulable: true })
    setNode('gpu-2', { unschedulable: true })
    const gpuPod = (name: string, tolerations: object[]) =>
      sim.pods.create(
        sim.admitCreate(
          sim.pods.type,
          { metadata: { name }, spec: { containers: [{ name: 'c', image: 'cuda', resources: { requests: { 'nvidia.com/gpu': '1' } } }], tolerations } },
          'default',
        ),
      )
    gpuPod('plain', [])
    gpuPod('tolerant', [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }])
    expect(sim.pods.mustGet('default', 'plain').status.phase).toBe('Pending')
    expect(sim.pods.mustGet('default', 'tolerant').status.phase).toBe('Pending')
    setNode('gpu-2', { unschedulable: undefined, taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] })
    expect(sim.pods.mustGet('default', 'plain').spec.nodeName).toBeUndefined()
    expect(sim.pods.mustGet('default', 'tolerant').spec.nodeName).toBe('gpu-2')
  })

  it('stamps timeAdded on NoExecute taints and keeps it for an unchanged taint', () => {
    const sim = newSim()
    taint(sim, 'gpu-1', [{ key: 'runai', value: 'drain', effect: 'NoExecute' }])
    const first = sim.nodes.mustGet(undefined, 'gpu-1').spec.taints[0].timeAdded
    expect(first).toBe('2026-03-02T09:00:00Z')
    sim.clock.advance(60)
    taint(sim, 'gpu-1', [{ key: 'x', effect: 'NoSchedule' }, { key: 'runai', value: 'drain', effect: 'NoExecute' }])
    expect(sim.nodes.mustGet(undefined, 'gpu-1').spec.taints).toEqual([
      { key: 'x', effect: 'NoSchedule' },
      { key: 'runai', value: 'drain', effect: 'NoExecute', timeAdded: first },
    ])
  })

  it('refuses duplicate taints and unknown effects with 422 Invalid', () => {
    const sim = newSim()
    expect(() => taint(sim, 'gpu-1', [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', value: 'b', effect: 'NoSchedule' }])).toThrow(
      /^Node "gpu-1" is invalid: spec\.taints\[1\]: Duplicate value: .*taints must be unique by key and effect pair$/,
    )
    expect(() => taint(sim, 'gpu-1', [{ key: 'a', effect: 'Sometimes' }])).toThrow(
      'Node "gpu-1" is invalid: spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    )
  })
})

describe('node failure and recovery', () => {
  it('fail: NotReady at once, unreachable taints, evictions after 300 simulated seconds', () => {
    const sim = newSim()
    const before = workloadPods(sim, 'gpu-3')
    sim.failNode('gpu-3')
    const node = sim.nodes.mustGet(undefined, 'gpu-3')
    const ready = node.status.conditions.find((c: { type: string }) => c.type === 'Ready')
    expect(ready).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', lastTransitionTime: '2026-03-02T09:00:00Z' })
    expect(node.spec.taints.map((t: { key: string; effect: string }) => `${t.key}:${t.effect}`)).toEqual([
      'node.kubernetes.io/unreachable:NoSchedule',
      'node.kubernetes.io/unreachable:NoExecute',
    ])
    expect(sim.state().nodes.find((n) => n.name === 'gpu-3')).toMatchObject({ ready: false, failed: true })
    sim.clock.advance(299)
    expect(workloadPods(sim, 'gpu-3')).toHaveLength(before.length)
    sim.clock.advance(1)
    expect(workloadPods(sim, 'gpu-3')).toEqual([])
    // DaemonSet pods tolerate everything and stay.
    expect(podsOn(sim, 'gpu-3')).toHaveLength(2)
  })

  it('failing a failed node or recovering a healthy one changes nothing', () => {
    const sim = newSim()
    const healthy = sim.nodes.mustGet(undefined, 'gpu-4').metadata.resourceVersion
    sim.recoverNode('gpu-4')
    expect(sim.nodes.mustGet(undefined, 'gpu-4').metadata.resourceVersion).toBe(healthy)
    sim.failNode('gpu-4')
    const down = sim.nodes.mustGet(undefined, 'gpu-4')
    sim.clock.advance(200)
    sim.failNode('gpu-4')
    expect(sim.nodes.mustGet(undefined, 'gpu-4').metadata.resourceVersion).toBe(down.metadata.resourceVersion)
    sim.clock.advance(100) // 300 s after the first failure
    expect(workloadPods(sim, 'gpu-4')).toEqual([])
  })

  it('recover: Ready again and the unreachable taints are gone; other taints stay', () => {
    const sim = newSim()
    taint(sim, 'gpu-3', [{ key: 'keep', effect: 'NoSchedule' }])
    sim.failNode('gpu-3')
    sim.clock.advance(30)
    sim.recoverNode('gpu-3')
    const node = sim.nodes.mustGet(undefined, 'gpu-3')
    expect(node.status.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: '2026-03-02T09:00:30Z' })
    expect(node.spec.taints).toEqual([{ key: 'keep', effect: 'NoSchedule' }])
    sim.clock.advance(600)
    expect(workloadPods(sim, 'gpu-3').length).toBeGreaterThan(0)
  })

  it('restart-kubelet re-registers a deleted node with only kubelet labels and its old capacity', () => {
    const sim = newSim()
    sim.nodes.delete(undefined, 'gpu-2')
    expect(podsOn(sim, 'gpu-2')).toEqual([])
    expect(sim.state().deletedNodes).toEqual(['gpu-2'])
    sim.restartKubelet('gpu-2')
    const node = sim.nodes.mustGet(undefined, 'gpu-2')
    expect(node.metadata.labels).toEqual({
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'gpu-2',
      'kubernetes.io/os': 'linux',
    })
    expect(node.status.capacity['nvidia.com/gpu']).toBe('8')
    expect(() => sim.restartKubelet('never-existed')).toThrow('nodes "never-existed" not found')
  })
})

describe('joining with a bootstrap token', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  function addToken(sim: Simulation, data: Record<string, string>, type = 'bootstrap.kubernetes.io/token') {
    sim.secrets.create(
      sim.admitCreate(
        sim.secrets.type,
        { metadata: { name: `bootstrap-token-${data['token-id']}` }, type, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) },
        'kube-system',
      ),
    )
  }
  const valid = { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', expiration: '2026-03-02T10:00:00Z' }

  it('registers the node for a matching, unexpired token', () => {
    const sim = newSim()
    addToken(sim, valid)
    expect(sim.join('gpu-7', 'abcdef.0123456789abcdef')).toEqual({ node: 'gpu-7', created: true })
    expect(sim.nodes.mustGet(undefined, 'gpu-7').status.capacity['nvidia.com/gpu']).toBe('8')
  })

  it.each([
    ['an unknown token id', {}, 'zzzzzz.0123456789abcdef', 401, 'could not find a JWS signature in the cluster-info ConfigMap for token ID "zzzzzz"'],
    ['a wrong secret', {}, 'abcdef.ffffffffffffffff', 401, 'failed to verify JWS signature'],
    ['an expired token', { expiration: '2026-03-02T08:59:59Z' }, 'abcdef.0123456789abcdef', 401, 'the token expired at 2026-03-02T08:59:59Z'],
    ['a token not for authentication', { 'usage-bootstrap-authentication': 'false' }, 'abcdef.0123456789abcdef', 403, 'may not be used for authentication'],
    ['a malformed token', {}, 'abc.def', 400, 'was not of the form'],
  ])('refuses %s', (_what, override, token, code, message) => {
    const sim = newSim()
    addToken(sim, { ...valid, ...override })
    let error: { code?: number; message?: string } = {}
    try {
      sim.join('gpu-7', token)
    } catch (e) {
      error = e as typeof error
    }
    expect(error.code).toBe(code)
    expect(error.message).toContain(message)
    expect(sim.nodes.get(undefined, 'gpu-7')).toBeUndefined()
  })

  it('expires a token on the simulated clock: the token cleaner deletes it', () => {
    const sim = newSim()
    addToken(sim, valid)
    sim.clock.advance(3599)
    expect(sim.secrets.get('kube-system', 'bootstrap-token-abcdef')).toBeDefined()
    sim.clock.advance(1)
    expect(sim.secrets.get('kube-system', 'bootstrap-token-abcdef')).toBeUndefined()
    expect(() => sim.join('gpu-7', 'abcdef.0123456789abcdef')).toThrow(
      'could not find a JWS signature in the cluster-info ConfigMap for token ID "abcdef" (the token expired at 2026-03-02T10:00:00Z and the token cleaner deleted it)',
    )
  })

  it('refuses a node name that is already registered', () => {
    const sim = newSim()
    addToken(sim, valid)
    expect(() => sim.join('gpu-1', 'abcdef.0123456789abcdef')).toThrow('a Node with name "gpu-1" and status "Ready" already exists in the cluster')
  })

  it('refuses a Secret of another type', () => {
    const sim = newSim()
    addToken(sim, valid, 'Opaque')
    expect(() => sim.join('gpu-7', 'abcdef.0123456789abcdef')).toThrow('could not find a JWS signature')
  })
})

describe('pods created through the API', () => {
  it('get the default not-ready/unreachable tolerations and are scheduled', () => {
    const sim = newSim()
    const pod = sim.admitCreate(
      sim.pods.type,
      { metadata: { name: '', generateName: 'web-' }, spec: { containers: [{ name: 'c', image: 'nginx' }], tolerations: [{ key: 'a', operator: 'Exists' }] } },
      'default',
    )
    const created = sim.pods.create(pod)
    expect(created.metadata.name).toMatch(/^web-[a-z0-9]{5}$/)
    expect(created.spec.tolerations.map((t: { key: string }) => t.key)).toEqual(['a', 'node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'])
    const bound = sim.pods.mustGet('default', created.metadata.name)
    expect(bound.spec.nodeName).toBeTruthy()
    expect(bound.status.phase).toBe('Running')
  })
})

describe('PodDisruptionBudgets', () => {
  it('computes disruptionsAllowed and refuses an eviction that would violate it', () => {
    const sim = newSim()
    const pdb = sim.pdbs.list().find((p) => p.metadata.name === 'llm-serve')!
    expect(pdb.status).toMatchObject({ disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 2 })
    const [pod] = sim.pods.list().filter((p) => p.metadata.labels?.app === 'llm-serve')
    expect(() => sim.evict(pod!.metadata.namespace!, pod!.metadata.name)).toThrow("Cannot evict pod as it would violate the pod's disruption budget.")
    const other = sim.pdbs.list().find((p) => p.metadata.name !== 'llm-serve')!
    expect(other.status.disruptionsAllowed).toBe(1)
  })
})
