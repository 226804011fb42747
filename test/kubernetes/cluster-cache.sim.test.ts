// The informer cache against the simulated cluster over HTTPS.
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { NodeEvent } from '../../src/app/ports.js'
import { KubernetesClusterCache } from '../../src/adapters/kubernetes/cluster-cache.js'
import { kubeConfigFromString } from '../../src/adapters/kubernetes/kubeconfig.js'
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js'

const fastClock = { now: () => new Date(), sleep: async () => {} }

/** Watch deliveries are real I/O: generous on a loaded machine, still bounded. */
const WAIT = { timeout: 10_000, interval: 10 }

describe('KubernetesClusterCache against the simulator', () => {
  let sim: RunningSimulator
  let cache: KubernetesClusterCache
  let events: NodeEvent[]

  beforeEach(async () => {
    sim = await startSimulator({ systemNodes: 1, gpuNodes: 2, cpuNodes: 1, startTime: new Date('2026-11-25T12:00:00Z') })
    cache = new KubernetesClusterCache(kubeConfigFromString(sim.kubeconfig), { clock: fastClock })
    events = []
    cache.onNodeEvent((e) => events.push(e))
  })
  afterEach(async () => {
    await cache.stop()
    await sim.close()
  })

  const other = () => kubeConfigFromString(sim.kubeconfig).makeApiClient(CoreV1Api)

  it('lists every node, pod and PDB, with pods indexed by node', async () => {
    expect(cache.synced()).toBe(false)
    await cache.start()
    expect(cache.synced()).toBe(true)
    const snap = cache.snapshot()
    expect(snap.nodes.map((n) => n.name)).toEqual(['cpu-1', 'gpu-1', 'gpu-2', 'sys-1'])
    expect(snap.pods).toHaveLength(sim.sim.pods.size)
    expect(snap.pdbs).toHaveLength(sim.sim.pdbs.size)
    for (const node of sim.sim.nodes.list()) {
      const name = node.metadata.name
      expect(cache.podsOn(name).map((p) => `${p.namespace}/${p.name}`).sort()).toEqual(sim.sim.pods.byIndex(name).map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort())
    }
    const gpu = cache.node('gpu-1')!
    expect(gpu).toMatchObject({ ready: true, notReadySince: null, gpus: 8, labels: expect.objectContaining({ 'node-role.kubernetes.io/runai-gpu-worker': '' }) })
    expect(events.filter((e) => e.type === 'ADDED').map((e) => e.node.name).sort()).toEqual(['cpu-1', 'gpu-1', 'gpu-2', 'sys-1'])
    // A snapshot is reused until something changes.
    expect(cache.snapshot()).toBe(snap)
  })

  it('sees another client patch through the watch, with the previous state in the event', async () => {
    await cache.start()
    const before = cache.node('gpu-2')!
    await other().patchNode(
      { name: 'gpu-2', body: { metadata: { labels: { 'example.com/rack': 'r7' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    await vi.waitFor(() => expect(cache.node('gpu-2')?.labels['example.com/rack']).toBe('r7'), WAIT)
    const modified = events.find((e) => e.type === 'MODIFIED' && e.node.name === 'gpu-2')!
    expect(modified.previous).toBe(before)
    expect(modified.node.resourceVersion).not.toBe(before.resourceVersion)
  })

  it('shows a failed node NotReady with notReadySince once the watch delivers it', async () => {
    await cache.start()
    sim.sim.advance(60)
    sim.sim.failNode('gpu-1')
    await vi.waitFor(() => expect(cache.node('gpu-1')?.ready).toBe(false), WAIT)
    expect(cache.node('gpu-1')!.notReadySince).toBe('2026-11-25T12:01:00Z')
    expect(cache.node('gpu-1')!.taints.map((t) => `${t.key}:${t.effect}`)).toContain('node.kubernetes.io/unreachable:NoExecute')
    sim.sim.recoverNode('gpu-1')
    await vi.waitFor(() => expect(cache.node('gpu-1')?.ready).toBe(true), WAIT)
    expect(cache.node('gpu-1')!.notReadySince).toBeNull()
  })

  it('refresh() reads the nodes and their pods from the API server, not the watch', async () => {
    // Never started: no list, no watch; only refresh fills it.
    await cache.refresh(['gpu-1', 'sys-1'])
    expect(cache.synced()).toBe(false)
    expect(cache.node('gpu-1')?.gpus).toBe(8)
    expect(cache.node('cpu-1')).toBeUndefined()
    expect(cache.podsOn('gpu-1').map((p) => p.name).sort()).toEqual(sim.sim.pods.byIndex('gpu-1').map((p) => p.metadata.name).sort())
    const requests = sim.sim.requests().filter((r) => r.resource === 'nodes' || r.resource === 'pods')
    expect(requests.map((r) => `${r.verb} ${r.resource} ${r.name ?? ''}`).sort()).toEqual(['get nodes gpu-1', 'get nodes sys-1', 'list pods ', 'list pods '])
  })

  it('refresh(nodes, { pods: false }) re-reads only the nodes, in one LIST however many', async () => {
    await cache.refresh(['gpu-2', 'sys-1', 'cpu-1'], { pods: false })
    expect([cache.node('gpu-2')?.name, cache.node('sys-1')?.name, cache.node('cpu-1')?.name]).toEqual(['gpu-2', 'sys-1', 'cpu-1'])
    expect(cache.node('gpu-1')).toBeUndefined()
    expect(cache.podsOn('gpu-2')).toEqual([])
    expect(sim.sim.requests().map((r) => `${r.verb} ${r.resource} ${r.name ?? ''}`)).toEqual(['list nodes '])
  })

  it('refresh(nodes, { pods: false }) reads a node the batch did not return on its own, and drops a deleted one', async () => {
    await cache.start()
    await cache.stop()
    await other().deleteNode({ name: 'cpu-1' })
    sim.sim.clearRequests()
    await cache.refresh(['gpu-2', 'cpu-1'], { pods: false })
    expect(cache.node('cpu-1')).toBeUndefined()
    expect(cache.node('gpu-2')?.name).toBe('gpu-2')
    expect(sim.sim.requests().map((r) => `${r.verb} ${r.resource} ${r.name ?? ''}`)).toEqual(['list nodes ', 'get nodes cpu-1'])
  })

  it('hands out the same list of pods for a node until a pod on that node changes', async () => {
    await cache.start()
    const onGpu1 = cache.podsOn('gpu-1')
    const onGpu2 = cache.podsOn('gpu-2')
    const nodes = cache.nodeList()
    expect(cache.podsOn('gpu-1')).toBe(onGpu1)
    expect(Object.isFrozen(onGpu1)).toBe(true)
    const pod = sim.sim.pods.byIndex('gpu-2')[0]!
    const name = pod.metadata.name!
    await other().patchNamespacedPod(
      { name, namespace: pod.metadata.namespace!, body: { metadata: { labels: { 'example.com/touched': 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    await vi.waitFor(() => expect(cache.podsOn('gpu-2').find((p) => p.name === name)?.labels['example.com/touched']).toBe('yes'), WAIT)
    expect(cache.podsOn('gpu-2')).not.toBe(onGpu2)
    expect(cache.podsOn('gpu-1')).toBe(onGpu1)
    // The node list is kept through pod changes, and made again when a node changes.
    expect(cache.nodeList()).toBe(nodes)
    expect(nodes.map((n) => n.name)).toEqual(sim.sim.nodes.list().map((n) => n.metadata.name).sort())
    sim.sim.failNode('cpu-1')
    await vi.waitFor(() => expect(cache.node('cpu-1')?.ready).toBe(false), WAIT)
    expect(cache.nodeList()).not.toBe(nodes)
    expect(cache.nodeList().find((n) => n.name === 'cpu-1')?.ready).toBe(false)
  })

  it('refresh() drops a node that was deleted and pods that left it', async () => {
    await cache.start()
    const victim = sim.sim.pods.byIndex('gpu-2')[0]!
    await cache.stop() // freeze the watch so only refresh can notice
    sim.sim.pods.delete(victim.metadata.namespace, victim.metadata.name)
    await other().deleteNode({ name: 'cpu-1' })
    await cache.refresh(['gpu-2', 'cpu-1'])
    expect(cache.podsOn('gpu-2').map((p) => p.name)).not.toContain(victim.metadata.name)
    expect(cache.podsOn('gpu-2')).toHaveLength(sim.sim.pods.byIndex('gpu-2').length)
    expect(cache.node('cpu-1')).toBeUndefined()
    expect(events.at(-1)).toMatchObject({ type: 'DELETED', node: { name: 'cpu-1' }, previous: { name: 'cpu-1' } })
  })

  it('resumes its watch after a stop and relists when the server no longer has that history (410)', async () => {
    const small = await startSimulator({ systemNodes: 1, gpuNodes: 2, cpuNodes: 1, watchHistoryLimit: 10 })
    const c = new KubernetesClusterCache(kubeConfigFromString(small.kubeconfig), { clock: fastClock })
    try {
      await c.start()
      await c.stop()
      // More changes than the server keeps for watches while the cache is away.
      for (let i = 0; i <= 20; i++) {
        const cur = small.sim.nodes.get(undefined, 'gpu-2')!
        small.sim.nodes.update({ ...cur, metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, 'example.com/n': String(i) } } })
      }
      small.sim.clearRequests()
      await c.start()
      await vi.waitFor(() => expect(c.node('gpu-2')?.labels['example.com/n']).toBe('20'), WAIT)
      const lists = small.sim.requests().filter((r) => r.verb === 'list' && r.resource === 'nodes')
      expect(lists).toHaveLength(1)
    } finally {
      await c.stop()
      await small.close()
    }
  })

  it('ping() answers while the server is up and throws KUBERNETES_UNAVAILABLE when it is not', async () => {
    await expect(cache.ping()).resolves.toBeUndefined()
    sim.sim.setFaults({ unreachable: true })
    await expect(cache.ping()).rejects.toMatchObject({ code: 'KUBERNETES_UNAVAILABLE' })
  })

  it('start() gives up with KUBERNETES_UNAVAILABLE when the server never answers, and keeps trying', async () => {
    sim.sim.setFaults({ unreachable: true })
    const c = new KubernetesClusterCache(kubeConfigFromString(sim.kubeconfig), { clock: { now: () => new Date(), sleep: () => new Promise((r) => setImmediate(r)) }, startTimeoutMs: 0 })
    try {
      await expect(c.start()).rejects.toMatchObject({ code: 'KUBERNETES_UNAVAILABLE' })
      sim.sim.setFaults(null)
      await vi.waitFor(() => expect(c.synced()).toBe(true), WAIT)
    } finally {
      await c.stop()
    }
  })
})
