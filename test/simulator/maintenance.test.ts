// What rolling maintenance needs from the cluster, through the Kubernetes client and the /_sim
// endpoints over HTTPS: node pools as labels, a node reboot on the simulated clock, workloads
// that finish after a set time.
import * as k8s from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSimulatorFlags } from '../../src/simulator/simulator.command.js'
import { eventually } from '../support/eventually.js'
import { SIM_START, simRoute, startTestCluster, type TestCluster } from '../support/simulator.js'

const POOL = 'run.ai/node-pool'
const RUN_SECONDS = 'sim.nodeplan.io/run-seconds'

let cluster: TestCluster
let core: k8s.CoreV1Api

beforeAll(async () => {
  cluster = await startTestCluster({ gpuNodes: 44, nodePools: [{ name: 'a100', nodes: 40 }, { name: 'h100', nodes: 2 }], trainingSeconds: 3600, startTime: SIM_START })
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(cluster.kubeconfigPath)
  core = kc.makeApiClient(k8s.CoreV1Api)
})
afterAll(() => cluster.close())

const advance = async (seconds: number) => expect((await simRoute(cluster, 'POST', '/_sim/clock/advance', { seconds })).status).toBe(200)
const node = (name: string) => core.readNode({ name })
const ready = (n: k8s.V1Node) => n.status!.conditions!.find((c) => c.type === 'Ready')!
const nodeTaints = (n: k8s.V1Node) => (n.spec!.taints ?? []).map((t) => `${t.key}:${t.effect}`)

describe('node pools', () => {
  it('labels the GPU nodes in order: a 40-node pool, a 2-node pool, the rest in none', async () => {
    const a100 = await core.listNode({ labelSelector: `${POOL}=a100` })
    expect(a100.items.map((n) => n.metadata!.name!).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))).toEqual(
      Array.from({ length: 40 }, (_, i) => `gpu-${i + 1}`),
    )
    expect((await core.listNode({ labelSelector: `${POOL}=h100` })).items.map((n) => n.metadata!.name).sort()).toEqual(['gpu-41', 'gpu-42'])
    expect((await node('gpu-43')).metadata!.labels).not.toHaveProperty(POOL)
    expect((await node('sys-1')).metadata!.labels).not.toHaveProperty(POOL)
  })

  it('moves a node between pools and out of them through /_sim', async () => {
    const moved = await simRoute(cluster, 'POST', '/_sim/nodes/gpu-43/pool', { pool: 'h100' })
    expect(moved).toMatchObject({ status: 200, json: { node: 'gpu-43', action: 'pool', state: { pool: 'h100' } } })
    expect((await node('gpu-43')).metadata!.labels![POOL]).toBe('h100')
    expect((await simRoute(cluster, 'POST', '/_sim/nodes/gpu-43/pool', { pool: null })).json.state.pool).toBeNull()
    expect((await node('gpu-43')).metadata!.labels).not.toHaveProperty(POOL)
    expect((await simRoute(cluster, 'POST', '/_sim/nodes/gpu-43/pool', { pool: 'no spaces' })).status).toBe(400)
    expect((await simRoute(cluster, 'POST', '/_sim/nodes/gpu-43/pool', {})).status).toBe(400)
    expect((await simRoute(cluster, 'POST', '/_sim/nodes/ghost/pool', { pool: 'a100' })).status).toBe(404)
    expect((await node('gpu-43')).metadata!.labels).not.toHaveProperty(POOL)
  })

  it('takes pools from the command line and refuses pools that do not fit', () => {
    expect(parseSimulatorFlags(['--gpu-nodes', '40', '--node-pool', 'a100=30', '--node-pool=h100=10'])).toEqual({
      ok: true,
      options: { gpuNodes: 40, nodePools: [{ name: 'a100', nodes: 30 }, { name: 'h100', nodes: 10 }] },
    })
    expect(parseSimulatorFlags(['--node-pool', 'a100=7'])).toEqual({ ok: false, error: 'the node pools hold 7 nodes but there are only 6 GPU nodes' })
    expect(parseSimulatorFlags(['--node-pool', 'a100'])).toMatchObject({ ok: false, error: expect.stringContaining('NAME=COUNT') })
    expect(parseSimulatorFlags(['--node-pool', 'A_100=1'])).toMatchObject({ ok: false, error: expect.stringContaining('lower-case') })
    expect(parseSimulatorFlags(['--training-seconds', '600'])).toEqual({ ok: true, options: { trainingSeconds: 600 } })
  })
})

describe('a node reboot', () => {
  it('goes Unknown with the unreachable taints, comes back NotReady with a new bootID, then Ready', async () => {
    await core.patchNode({ name: 'gpu-44', body: [{ op: 'add', path: '/spec/taints', value: [{ key: 'runai', value: 'drain', effect: 'NoSchedule' }] }] })
    const before = await node('gpu-44')
    const bootID = before.status!.nodeInfo!.bootID
    const started = await simRoute(cluster, 'POST', '/_sim/nodes/gpu-44/reboot', { downSeconds: 120, notReadySeconds: 15 })
    expect(started.status).toBe(200)
    const t0 = Date.parse((await simRoute(cluster, 'GET', '/_sim/clock')).json.clock)
    expect(started.json.reboot).toEqual({
      node: 'gpu-44',
      previousBootID: bootID,
      backAt: new Date(t0 + 120_000).toISOString().replace('.000', ''),
      readyAt: new Date(t0 + 135_000).toISOString().replace('.000', ''),
    })
    expect(started.json.state).toMatchObject({ ready: false, bootID, rebooting: { readyAt: started.json.reboot.readyAt } })

    const down = await node('gpu-44')
    expect(ready(down)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' })
    expect(ready(down).lastTransitionTime!.getTime()).toBe(t0)
    expect(nodeTaints(down)).toEqual(['runai:NoSchedule', 'node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute'])
    expect((await simRoute(cluster, 'POST', '/_sim/nodes/gpu-44/reboot')).status).toBe(409)

    await advance(119)
    expect((await node('gpu-44')).status!.nodeInfo!.bootID).toBe(bootID)
    await advance(1)
    const back = await node('gpu-44')
    expect(back.status!.nodeInfo!.bootID).not.toBe(bootID)
    expect(back.status!.nodeInfo!.bootID).toMatch(/^[0-9a-f-]{36}$/)
    expect(ready(back)).toMatchObject({ status: 'False', reason: 'KubeletNotReady' })
    expect(nodeTaints(back)).toEqual(['runai:NoSchedule', 'node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute'])
    expect(back.status!.allocatable!['nvidia.com/gpu']).toBe('0') // the device plugin has not registered yet
    expect(back.status!.capacity!['nvidia.com/gpu']).toBe('8')

    await advance(15)
    const up = await node('gpu-44')
    expect(ready(up)).toMatchObject({ status: 'True', reason: 'KubeletReady' })
    expect(ready(up).lastTransitionTime!.getTime()).toBe(t0 + 135_000)
    const memory = up.status!.conditions!.find((c) => c.type === 'MemoryPressure')!
    expect(memory).toMatchObject({ status: 'False' })
    expect(memory.lastTransitionTime!.getTime()).toBe(t0 + 120_000)
    expect(nodeTaints(up)).toEqual(['runai:NoSchedule'])
    expect(up.status!.allocatable!['nvidia.com/gpu']).toBe('8')
    expect(up.status!.nodeInfo!.bootID).toBe(back.status!.nodeInfo!.bootID)
    expect((await simRoute(cluster, 'GET', '/_sim/state')).json.nodes.find((n: { name: string }) => n.name === 'gpu-44')).toMatchObject({
      ready: true,
      rebooting: null,
      bootID: back.status!.nodeInfo!.bootID,
    })
  })

  it('has defaults (60 s down, 10 s NotReady) and refuses bad durations and unknown nodes', async () => {
    const r = await simRoute(cluster, 'POST', '/_sim/nodes/gpu-43/reboot')
    expect(Date.parse(r.json.reboot.readyAt) - Date.parse(r.json.reboot.backAt)).toBe(10_000)
    await advance(60)
    expect(ready(await node('gpu-43')).status).toBe('False')
    await advance(10)
    expect(ready(await node('gpu-43')).status).toBe('True')
    expect((await simRoute(cluster, 'POST', '/_sim/nodes/gpu-43/reboot', { downSeconds: -1 })).status).toBe(400)
    expect((await simRoute(cluster, 'POST', '/_sim/nodes/gpu-43/reboot', { lostGpus: 1.5 })).status).toBe(400)
    expect((await simRoute(cluster, 'POST', '/_sim/nodes/gpu-43/reboot', [1])).status).toBe(400)
    expect((await simRoute(cluster, 'POST', '/_sim/nodes/ghost/reboot')).status).toBe(404)
    expect(ready(await node('gpu-43')).status).toBe('True')
  })

  it('can leave GPUs behind: allocatable short of capacity by lostGpus once Ready', async () => {
    const r = await simRoute(cluster, 'POST', '/_sim/nodes/gpu-41/reboot', { downSeconds: 30, notReadySeconds: 5, lostGpus: 2 })
    expect(r.status).toBe(200)
    await advance(35)
    const up = await node('gpu-41')
    expect(ready(up).status).toBe('True')
    expect(up.status!.allocatable!['nvidia.com/gpu']).toBe('6')
    expect(up.status!.capacity!['nvidia.com/gpu']).toBe('8')
    expect((await simRoute(cluster, 'GET', '/_sim/state')).json.nodes.find((n: { name: string }) => n.name === 'gpu-41').gpus).toBe(6)
  })

  it('is a Simulation method too; a long one lets the taint manager evict after 300 s', () => {
    const before = cluster.sim.state().pods.byNode['gpu-42']!
    cluster.sim.rebootNode('gpu-42', { downSeconds: 600, notReadySeconds: 0 })
    cluster.sim.advance(300)
    const during = cluster.sim.state().nodes.find((n) => n.name === 'gpu-42')!
    expect(during.ready).toBe(false)
    expect(cluster.sim.state().pods.byNode['gpu-42']).toBe(2) // only the DaemonSet pods tolerate it
    expect(before).toBeGreaterThan(2)
    cluster.sim.advance(300)
    expect(cluster.sim.state().nodes.find((n) => n.name === 'gpu-42')).toMatchObject({ ready: true, rebooting: null, taints: [] })
  })
})

describe('workloads that finish', () => {
  const gpusUsed = (name: string) => cluster.sim.state().nodes.find((n) => n.name === name)!.gpusUsed
  const podsOn = async (name: string) => (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` })).items

  it('an evicted training pod is resubmitted with the run time it had left', async () => {
    const [pod] = (await podsOn('gpu-20')).filter((p) => p.metadata!.labels!['workload-kind'] === 'training' && p.status!.phase === 'Running')
    await simRoute(cluster, 'POST', '/_sim/pods/finish-after', { seconds: 500, namespace: pod!.metadata!.namespace, name: pod!.metadata!.name })
    await advance(100)
    const { namespace, name, labels } = pod!.metadata!
    const siblings = new Set((await core.listNamespacedPod({ namespace: namespace!, labelSelector: `app=${labels!.app}` })).items.map((p) => p.metadata!.name))
    await core.createNamespacedPodEviction({ namespace: namespace!, name: name!, body: { metadata: { name, namespace } } })
    const replacement = await eventually(async () => {
      const items = (await core.listNamespacedPod({ namespace: namespace!, labelSelector: `app=${labels!.app}` })).items
      const found = items.find((p) => !siblings.has(p.metadata!.name) && p.status!.phase === 'Running')
      expect(found).toBeDefined()
      return found!
    })
    expect(replacement.metadata!.annotations).toEqual({ [RUN_SECONDS]: '400' })
    const phase = async () => (await core.readNamespacedPod({ namespace: namespace!, name: replacement.metadata!.name! })).status!.phase
    await advance(399)
    expect(await phase()).toBe('Running')
    await advance(1)
    expect(await phase()).toBe('Succeeded')
  })

  it('seeded training pods go Succeeded once their time is up, and free their GPUs', async () => {
    const training = (await podsOn('gpu-10')).filter((p) => p.metadata!.labels!['workload-kind'] === 'training')
    expect(training.length).toBeGreaterThan(0)
    expect(training.every((p) => p.status!.phase === 'Running' && p.metadata!.annotations![RUN_SECONDS])).toBe(true)
    const used = gpusUsed('gpu-10')
    const clock = Date.parse((await simRoute(cluster, 'GET', '/_sim/clock')).json.clock)
    const left = SIM_START.getTime() + 3600_000 - clock
    expect(left).toBeGreaterThan(1000)
    await advance(left / 1000 - 1)
    expect((await podsOn('gpu-10')).filter((p) => p.status!.phase === 'Succeeded')).toEqual([])
    await advance(1)
    const after = await podsOn('gpu-10')
    const done = after.filter((p) => p.status!.phase === 'Succeeded')
    expect(done.map((p) => p.metadata!.name).sort()).toEqual(training.map((p) => p.metadata!.name).sort())
    expect(done[0]!.status!.containerStatuses![0]!.state!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' })
    expect(done[0]!.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' })
    const trainingGpus = training.reduce((n, p) => n + Number(p.spec!.containers[0]!.resources!.requests!['nvidia.com/gpu'] ?? 0), 0)
    expect(gpusUsed('gpu-10')).toBe(used - trainingGpus)
    expect(after.filter((p) => p.status!.phase === 'Pending')).toEqual([]) // nothing resubmitted
  })

  it('finishes the pods a /_sim call selects after the given time', async () => {
    const jupyter = (await podsOn('gpu-7')).find((p) => p.metadata!.labels!['workload-kind'] === 'interactive')!
    const r = await simRoute(cluster, 'POST', '/_sim/pods/finish-after', { seconds: 90, node: 'gpu-7', labelSelector: 'workload-kind=interactive' })
    expect(r.status).toBe(200)
    expect(r.json.pods).toEqual([{ namespace: jupyter.metadata!.namespace, name: jupyter.metadata!.name, node: 'gpu-7', finishesAt: expect.any(String) }])
    await advance(89)
    expect((await core.readNamespacedPod({ namespace: jupyter.metadata!.namespace!, name: jupyter.metadata!.name! })).status!.phase).toBe('Running')
    await advance(1)
    expect((await core.readNamespacedPod({ namespace: jupyter.metadata!.namespace!, name: jupyter.metadata!.name! })).status!.phase).toBe('Succeeded')
    expect((await simRoute(cluster, 'POST', '/_sim/pods/finish-after', { seconds: 90 })).status).toBe(400)
    expect((await simRoute(cluster, 'POST', '/_sim/pods/finish-after', { seconds: -5, node: 'gpu-7' })).status).toBe(400)
    expect((await simRoute(cluster, 'POST', '/_sim/pods/finish-after', { seconds: 5, name: 'x' })).status).toBe(400)
  })

  it('a pod created through the API with a run time finishes that long after it starts', async () => {
    const created = await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'short-job', annotations: { [RUN_SECONDS]: '30' } },
        spec: { containers: [{ name: 'main', image: 'busybox', resources: { requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1' } } }] },
      },
    })
    expect(created.metadata!.name).toBe('short-job')
    // The scheduler places it once the create has been answered.
    await eventually(async () => expect((await core.readNamespacedPod({ namespace: 'default', name: 'short-job' })).status!.phase).toBe('Running'))
    await advance(29)
    expect((await core.readNamespacedPod({ namespace: 'default', name: 'short-job' })).status!.phase).toBe('Running')
    await advance(1)
    expect((await core.readNamespacedPod({ namespace: 'default', name: 'short-job' })).status!.phase).toBe('Succeeded')
  })

})
