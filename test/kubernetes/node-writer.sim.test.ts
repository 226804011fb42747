// The node writer against the simulated cluster over HTTPS: guarded patches, a concurrent
// writer whose taints and labels survive, idempotence, retries and the deadline.
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KubernetesApi } from '../../src/adapters/kubernetes/kubernetes-api.js'
import { kubeConfigFromString } from '../../src/adapters/kubernetes/kubeconfig.js'
import { KubernetesNodeWriter } from '../../src/adapters/kubernetes/node-writer.js'
import { toNodeState } from '../../src/adapters/kubernetes/node-state.js'
import { labelChange, nodeDeletion, taintChange } from '../../src/domain/change.js'
import { DRAIN_TAINT, type Taint } from '../../src/domain/cluster.js'
import { NodeplanError } from '../../src/domain/errors.js'
import type { ChangeRetry } from '../../src/domain/plan.js'
import { createLogger } from '../../src/logger.js'
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js'

const TEAM_TAINT = { key: 'example.com/team', value: 'a', effect: 'NoSchedule' }
const SYSTEM_ROLE = 'node-role.kubernetes.io/runai-system'

/** A KubernetesApi that lets another client write right after the writer's read of a node: the race a guarded patch must survive. */
class InterleavingApi extends KubernetesApi {
  private pending: (() => Promise<void>)[] = []
  afterNextRead(write: () => Promise<void>): void {
    this.pending.push(write)
  }
  override async getJson<T>(path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
    const result = await super.getJson<T>(path, query)
    const write = this.pending.shift()
    if (write) await write()
    return result
  }
}

const inAMinute = (clock: { now(): Date }) => clock.now().getTime() + 60_000

function fakeClock(onSleep: (n: number) => void = () => {}) {
  let t = Date.parse('2026-11-25T12:00:00Z')
  const sleeps: number[] = []
  return {
    sleeps,
    clock: {
      now: () => new Date(t),
      sleep: async (ms: number) => {
        sleeps.push(ms)
        t += ms
        onSleep(sleeps.length)
      },
    },
  }
}

describe('KubernetesNodeWriter against the simulator', () => {
  let sim: RunningSimulator
  let kc: KubeConfig
  let api: InterleavingApi
  let other: CoreV1Api

  beforeEach(async () => {
    sim = await startSimulator({ systemNodes: 2, gpuNodes: 2, cpuNodes: 1 })
    kc = kubeConfigFromString(sim.kubeconfig)
    api = new InterleavingApi(kc, { timeoutMs: 5_000 })
    other = kc.makeApiClient(CoreV1Api)
  })
  afterEach(async () => {
    api.close()
    await sim.close()
  })

  const liveTaints = (node: string): Taint[] => ((sim.sim.nodes.get(undefined, node)?.spec?.taints ?? []) as Taint[]).map(({ key, value, effect }) => ({ key, ...(value ? { value } : {}), effect }))
  const liveLabels = (node: string): Record<string, string> => sim.sim.nodes.get(undefined, node)?.metadata.labels ?? {}
  const count = (writer: KubernetesNodeWriter, verb: string, code: string) => writer.requestCounts().find((r) => r.verb === verb && r.code === code)?.count ?? 0
  /** What `kubectl taint` does: GET, then a strategic-merge PATCH of the whole list it read. */
  const kubectlTaint = async (node: string, taint: typeof TEAM_TAINT) => {
    const current = (await other.readNode({ name: node })).spec?.taints ?? []
    await other.patchNode({ name: node, body: { spec: { taints: [taint, ...current] } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch))
  }

  it('adds the drain taint while another client adds its own taint in between; both survive', async () => {
    const { clock } = fakeClock()
    const writer = new KubernetesNodeWriter(api, { clock })
    api.afterNextRead(() => kubectlTaint('gpu-1', TEAM_TAINT))
    const outcome = await writer.apply(taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), { deadline: clock.now().getTime() + 60_000 })
    expect(outcome).toBe('applied')
    expect(liveTaints('gpu-1')).toEqual(expect.arrayContaining([DRAIN_TAINT, TEAM_TAINT]))
    expect(liveTaints('gpu-1')).toHaveLength(2)
    // The first patch was based on the stale read and refused; the second one went through.
    expect(count(writer, 'PATCH', '422')).toBe(1)
    expect(count(writer, 'PATCH', '200')).toBe(1)
  })

  it('removes only the drain taint, leaving one another client added meanwhile', async () => {
    const { clock } = fakeClock()
    const writer = new KubernetesNodeWriter(api, { clock })
    const deadline = () => clock.now().getTime() + 60_000
    await writer.apply(taintChange('gpu-2', null, DRAIN_TAINT, 'REQUESTED'), { deadline: deadline() })
    api.afterNextRead(() => kubectlTaint('gpu-2', TEAM_TAINT))
    expect(await writer.apply(taintChange('gpu-2', DRAIN_TAINT, null, 'REQUESTED'), { deadline: deadline() })).toBe('applied')
    expect(liveTaints('gpu-2')).toEqual([TEAM_TAINT])
  })

  it('adds and removes a role label (key escaped in the patch path) without losing a label written concurrently', async () => {
    const { clock } = fakeClock()
    const writer = new KubernetesNodeWriter(api, { clock })
    const deadline = () => clock.now().getTime() + 60_000
    api.afterNextRead(async () => {
      await other.patchNode({ name: 'cpu-1', body: { metadata: { labels: { 'example.com/rack': 'r1' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
    })
    expect(await writer.apply(labelChange('cpu-1', SYSTEM_ROLE, null, '', 'REQUESTED'), { deadline: deadline() })).toBe('applied')
    expect(liveLabels('cpu-1')).toMatchObject({ [SYSTEM_ROLE]: '', 'example.com/rack': 'r1' })
    expect(await writer.apply(labelChange('cpu-1', SYSTEM_ROLE, '', null, 'ROLLBACK'), { deadline: deadline() })).toBe('applied')
    expect(liveLabels('cpu-1')).not.toHaveProperty(SYSTEM_ROLE)
    expect(liveLabels('cpu-1')).toHaveProperty('example.com/rack', 'r1')
  })

  it('is idempotent: a change already in its target state is "already" and writes nothing', async () => {
    const { clock } = fakeClock()
    const writer = new KubernetesNodeWriter(api, { clock })
    const change = taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED')
    expect(await writer.apply(change, { deadline: clock.now().getTime() + 60_000 })).toBe('applied')
    expect(await writer.apply(change, { deadline: clock.now().getTime() + 60_000 })).toBe('already')
    expect(writer.requestCounts().filter((r) => r.verb === 'PATCH').reduce((n, r) => n + r.count, 0)).toBe(1)
    expect(liveTaints('gpu-1').filter((t) => t.key === 'runai')).toHaveLength(1)
  })

  it.each([
    { status: 503 as const, name: '503' },
    { status: 429 as const, name: '429' },
  ])('retries through $name answers with backoff until the server recovers', async ({ status }) => {
    const { clock, sleeps } = fakeClock((n) => {
      if (n === 3) sim.sim.setFaults(null)
    })
    const writer = new KubernetesNodeWriter(api, { clock, random: () => 0.5, backoff: { baseMs: 100, maxMs: 1_000 } })
    sim.sim.setFaults({ errorRate: 1, errorStatus: status })
    expect(await writer.apply(taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), { deadline: clock.now().getTime() + 60_000 })).toBe('applied')
    expect(sleeps).toEqual([75, 150, 300])
    expect(count(writer, 'GET', String(status))).toBe(3)
    expect(liveTaints('gpu-1')).toEqual([DRAIN_TAINT])
  })

  it('re-reads and retries on forced 409 conflicts', async () => {
    const { clock, sleeps } = fakeClock((n) => {
      if (n === 2) sim.sim.setFaults(null)
    })
    const writer = new KubernetesNodeWriter(api, { clock, random: () => 0.5, immediateConflictRetries: 0 })
    sim.sim.setFaults({ conflictRate: 1 })
    expect(await writer.apply(labelChange('gpu-2', 'example.com/pool', null, 'a', 'REQUESTED'), { deadline: clock.now().getTime() + 60_000 })).toBe('applied')
    expect(sleeps).toHaveLength(2)
    expect(count(writer, 'PATCH', '409')).toBe(2)
    expect(count(writer, 'GET', '200')).toBe(3)
    expect(liveLabels('gpu-2')['example.com/pool']).toBe('a')
  })

  it('gives up at the deadline with a message naming the change and the last status', async () => {
    const { clock } = fakeClock()
    const lines: string[] = []
    const log = createLogger({ level: 'warn', write: (line) => lines.push(line) })
    const writer = new KubernetesNodeWriter(api, { clock, random: () => 0.5, backoff: { baseMs: 100, maxMs: 1_000 }, log })
    sim.sim.setFaults({ errorRate: 1, errorStatus: 500 })
    const told: ChangeRetry[] = []
    const deadline = clock.now().getTime() + 2_000
    const err = await writer.apply(taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), { deadline, onRetry: (r) => void told.push(r) }).catch((e: unknown) => e)
    // Each backed-off retry is told as it happens, numbered: in the log and to the caller.
    const retries = lines.map((l) => JSON.parse(l))
    expect(retries.length).toBeGreaterThan(1)
    expect(retries.map((r) => r.attempt)).toEqual(retries.map((_, i) => i + 2))
    expect(told.map((r) => r.attempt)).toEqual(retries.map((r) => r.attempt))
    expect(told.every((r) => r.until.getTime() === deadline && /^500 InternalError: /.test(r.error))).toBe(true)
    expect(retries[0].msg).toMatch(/^retrying add taint runai=drain:NoExecute to node gpu-1: attempt 2 in \d+ ms, giving up in \d+ s: 500 InternalError: /)
    expect(err).toBeInstanceOf(Error)
    // The API server answered: its own code, with the status, not "unavailable" and not an internal error.
    expect(err).toMatchObject({ code: 'KUBERNETES_API_ERROR', details: { status: 500, reason: 'InternalError' } })
    expect((err as Error).message).toMatch(/^add taint runai=drain:NoExecute to node gpu-1: gave up at the deadline after \d+ attempts; last error: 500 InternalError: Internal error occurred: injected fault$/)
    expect(liveTaints('gpu-1')).toEqual([])
  })

  it('reports KUBERNETES_UNAVAILABLE when the API server cannot be reached until the deadline', async () => {
    const { clock } = fakeClock()
    const writer = new KubernetesNodeWriter(api, { clock, random: () => 0.5 })
    sim.sim.setFaults({ unreachable: true })
    const err = await writer.apply(taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), { deadline: clock.now().getTime() + 1_000 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NodeplanError)
    expect(err).toMatchObject({ code: 'KUBERNETES_UNAVAILABLE' })
    expect((err as Error).message).toContain('add taint runai=drain:NoExecute to node gpu-1')
  })

  /** The node as an informer cache holds it right now. */
  const cached = (node: string) => toNodeState(structuredClone(sim.sim.nodes.get(undefined, node)!) as never)

  describe('given the node as last seen (the cache)', () => {
    it('writes a change still based on the live version with one PATCH and no GET', async () => {
      const { clock } = fakeClock()
      const writer = new KubernetesNodeWriter(api, { clock })
      const known = cached('gpu-1')
      const outcome = await writer.apply(taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), { deadline: inAMinute(clock), uid: known.uid, known })
      expect(outcome).toBe('applied')
      expect(liveTaints('gpu-1')).toContainEqual(DRAIN_TAINT)
      expect(writer.requestCounts()).toEqual([{ verb: 'PATCH', code: '200', count: 1 }])
      // Labels too, on a node with taints already, and taking a taint off again.
      expect(await writer.apply(labelChange('gpu-1', 'example.com/pool', null, 'a', 'REQUESTED'), { deadline: inAMinute(clock), known: cached('gpu-1') })).toBe('applied')
      expect(await writer.apply(taintChange('gpu-1', DRAIN_TAINT, null, 'REQUESTED'), { deadline: inAMinute(clock), known: cached('gpu-1') })).toBe('applied')
      expect(liveLabels('gpu-1')['example.com/pool']).toBe('a')
      expect(liveTaints('gpu-1')).not.toContainEqual(DRAIN_TAINT)
      expect(count(writer, 'GET', '200')).toBe(0)
    })

    it('a node changed since (another client added a taint): the patch is refused, the node read and patched; both taints survive, no backoff', async () => {
      const { clock, sleeps } = fakeClock()
      const writer = new KubernetesNodeWriter(api, { clock, immediateConflictRetries: 0 })
      const known = cached('gpu-1')
      await kubectlTaint('gpu-1', TEAM_TAINT)
      expect(await writer.apply(taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), { deadline: inAMinute(clock), uid: known.uid, known })).toBe('applied')
      expect(liveTaints('gpu-1')).toEqual(expect.arrayContaining([TEAM_TAINT, DRAIN_TAINT]))
      expect([count(writer, 'PATCH', '422'), count(writer, 'GET', '200'), count(writer, 'PATCH', '200')]).toEqual([1, 1, 1])
      expect(sleeps).toEqual([])
    })

    it('a stale resourceVersion refused with 409 is read and retried once', async () => {
      const { clock, sleeps } = fakeClock()
      const writer = new KubernetesNodeWriter(api, { clock, immediateConflictRetries: 0 })
      const known = cached('gpu-2')
      sim.sim.setFaults({ conflictRate: 1, paths: '^/api/v1/nodes/gpu-2$' })
      api.afterNextRead(async () => sim.sim.setFaults(null))
      expect(await writer.apply(labelChange('gpu-2', 'example.com/pool', null, 'a', 'REQUESTED'), { deadline: inAMinute(clock), known })).toBe('applied')
      expect([count(writer, 'PATCH', '409'), count(writer, 'GET', '200'), count(writer, 'PATCH', '200')]).toEqual([1, 1, 1])
      expect(liveLabels('gpu-2')['example.com/pool']).toBe('a')
      expect(sleeps).toEqual([])
    })

    it('a known state that says "already" is checked against the live node', async () => {
      const { clock } = fakeClock()
      const writer = new KubernetesNodeWriter(api, { clock })
      const known = { ...cached('gpu-2'), taints: [DRAIN_TAINT] }
      expect(await writer.apply(taintChange('gpu-2', null, DRAIN_TAINT, 'REQUESTED'), { deadline: inAMinute(clock), known })).toBe('applied')
      expect(liveTaints('gpu-2')).toContainEqual(DRAIN_TAINT)
      expect([count(writer, 'GET', '200'), count(writer, 'PATCH', '200')]).toEqual([1, 1])
    })

    it('never touches a node registered again under the same name, whatever state it is given', async () => {
      const { clock } = fakeClock()
      const writer = new KubernetesNodeWriter(api, { clock })
      const planned = cached('gpu-1')
      await other.deleteNode({ name: 'gpu-1' })
      sim.sim.restartKubelet('gpu-1')
      const replacement = cached('gpu-1')
      for (const known of [planned, replacement]) {
        const err = await writer.apply(taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), { deadline: inAMinute(clock), uid: planned.uid, known }).catch((e: unknown) => e)
        expect((err as Error).message).toMatch(/was deleted and registered again since the plan was made/)
      }
      expect(liveTaints('gpu-1')).not.toContainEqual(DRAIN_TAINT)
      expect(count(writer, 'PATCH', '200')).toBe(0)
    })
  })

  it('fails clearly when the node was deleted', async () => {
    const { clock } = fakeClock()
    const writer = new KubernetesNodeWriter(api, { clock })
    await other.deleteNode({ name: 'gpu-2' })
    await expect(writer.apply(taintChange('gpu-2', null, DRAIN_TAINT, 'REQUESTED'), { deadline: clock.now().getTime() + 60_000 })).rejects.toThrow(
      'add taint runai=drain:NoExecute to node gpu-2: node gpu-2 not found (404); it was deleted since the plan was made',
    )
  })

  it('refuses to overwrite a value another writer changed since the plan', async () => {
    const { clock } = fakeClock()
    const writer = new KubernetesNodeWriter(api, { clock })
    await other.patchNode({ name: 'gpu-1', body: { metadata: { labels: { 'example.com/pool': 'theirs' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
    await expect(writer.apply(labelChange('gpu-1', 'example.com/pool', null, 'ours', 'REQUESTED'), { deadline: clock.now().getTime() + 60_000 })).rejects.toThrow(
      /label example.com\/pool is "theirs", the plan expected absent/,
    )
    expect(liveLabels('gpu-1')['example.com/pool']).toBe('theirs')
  })

  it('does not retry a patch the server refuses as invalid on an unchanged node', async () => {
    const { clock, sleeps } = fakeClock()
    const writer = new KubernetesNodeWriter(api, { clock })
    const err = await writer.apply(labelChange('gpu-1', 'example.com/x', null, 'not a valid value!', 'REQUESTED'), { deadline: clock.now().getTime() + 60_000 }).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/^add label example.com\/x=not a valid value! to node gpu-1: the Kubernetes API server refused: 422 Invalid: /)
    expect(count(writer, 'PATCH', '422')).toBe(1)
    expect(sleeps).toEqual([])
  })

  it('deletes a node with a uid precondition; deleting it again is "already"', async () => {
    const { clock } = fakeClock()
    const writer = new KubernetesNodeWriter(api, { clock })
    const change = nodeDeletion('cpu-1', { name: 'cpu-1', labels: liveLabels('cpu-1') }, 'DECOMMISSION')
    expect(await writer.apply(change, { deadline: clock.now().getTime() + 60_000 })).toBe('applied')
    expect(sim.sim.nodes.get(undefined, 'cpu-1')).toBeUndefined()
    expect(await writer.apply(change, { deadline: clock.now().getTime() + 60_000 })).toBe('already')
  })

  it('leaves alone a node of the same name registered after the plan was made', async () => {
    const { clock } = fakeClock()
    const writer = new KubernetesNodeWriter(api, { clock })
    const planned = sim.sim.nodes.get(undefined, 'gpu-1')!.metadata.uid!
    const change = nodeDeletion('gpu-1', { name: 'gpu-1', labels: liveLabels('gpu-1') }, 'DECOMMISSION')
    await other.deleteNode({ name: 'gpu-1' })
    sim.sim.restartKubelet('gpu-1')
    const replacement = sim.sim.nodes.get(undefined, 'gpu-1')!.metadata.uid!
    expect(replacement).not.toBe(planned)
    expect(await writer.apply(change, { deadline: clock.now().getTime() + 60_000, uid: planned })).toBe('already')
    expect(sim.sim.nodes.get(undefined, 'gpu-1')!.metadata.uid).toBe(replacement)
    const taint = await writer
      .apply(taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), { deadline: clock.now().getTime() + 60_000, uid: planned })
      .catch((e: unknown) => e)
    expect((taint as Error).message).toMatch(/was deleted and registered again since the plan was made/)
  })
})
