// The same scenarios through @kubernetes/client-node: typed calls, an informer, watches,
// optimistic concurrency.
import * as k8s from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCluster, type TestCluster } from '../support/simulator.js'

async function failure(promise: Promise<unknown>): Promise<{ code: number; body: { reason?: string; message?: string; details?: unknown } }> {
  try {
    await promise
  } catch (error) {
    const e = error as { code?: number; body?: unknown }
    return { code: e.code ?? -1, body: typeof e.body === 'string' ? JSON.parse(e.body) : (e.body as object) }
  }
  throw new Error('expected the call to fail')
}

/** Resolves once `predicate` holds for an event, or rejects on a deadline (real time, for I/O only). */
function waitFor<T>(subscribe: (push: (value: T) => void) => void, predicate: (value: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('event did not arrive')), 10_000)
    subscribe((value) => {
      if (predicate(value)) {
        clearTimeout(timer)
        resolve(value)
      }
    })
  })
}

describe('@kubernetes/client-node against the simulator', () => {
  let cluster: TestCluster
  let kc: k8s.KubeConfig
  let core: k8s.CoreV1Api
  const ownerOf = (p: k8s.V1Pod) => p.metadata?.ownerReferences?.[0]?.name

  beforeAll(async () => {
    cluster = await startTestCluster({ watchHistoryLimit: 50 })
    kc = new k8s.KubeConfig()
    kc.loadFromString(cluster.kubeconfig)
    core = kc.makeApiClient(k8s.CoreV1Api)
  })
  afterAll(() => cluster.close())

  it('lists nodes with their roles, readiness and GPUs', async () => {
    const nodes = (await core.listNode()).items
    expect(nodes).toHaveLength(10)
    const gpuWorkers = nodes.filter((n) => 'node-role.kubernetes.io/runai-gpu-worker' in (n.metadata?.labels ?? {}))
    expect(gpuWorkers.map((n) => n.metadata!.name)).toEqual(['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4', 'gpu-5', 'gpu-6'])
    expect(gpuWorkers.every((n) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True')).toBe(true)
    expect(gpuWorkers.every((n) => n.status?.allocatable?.['nvidia.com/gpu'] === '8')).toBe(true)
  })

  it('a strategic-merge taint patch evicts pods; training is rescheduled, interactive is not', async () => {
    const before = (await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=gpu-1' })).items
    const training = before.filter((p) => p.spec?.priorityClassName === 'train').map(ownerOf)
    const interactive = before.filter((p) => p.spec?.priorityClassName === 'interactive-preemptible').map(ownerOf)
    expect(training.length).toBeGreaterThan(0)
    expect(interactive.length).toBeGreaterThan(0)

    await core.patchNode(
      { name: 'gpu-1', body: { spec: { taints: [{ key: 'runai', value: 'drain', effect: 'NoExecute' }] } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    )
    const node = await core.readNode({ name: 'gpu-1' })
    expect(node.spec?.taints).toEqual([{ key: 'runai', value: 'drain', effect: 'NoExecute', timeAdded: expect.any(Date) }])

    const left = (await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=gpu-1' })).items
    expect(left.map((p) => p.metadata?.ownerReferences?.[0]?.kind)).toEqual(['DaemonSet', 'DaemonSet'])
    const all = (await core.listPodForAllNamespaces()).items
    for (const owner of training) {
      const pods = all.filter((p) => ownerOf(p) === owner)
      expect(pods.length).toBeGreaterThan(0)
      expect(pods.every((p) => p.status?.phase === 'Running' && p.spec?.nodeName !== 'gpu-1')).toBe(true)
    }
    for (const owner of interactive) expect(all.filter((p) => ownerOf(p) === owner)).toEqual([])
  })

  it('selects pods by label across namespaces', async () => {
    const pods = (await core.listPodForAllNamespaces({ labelSelector: 'app=llm-serve' })).items
    expect(pods).toHaveLength(2)
    expect(pods.every((p) => p.metadata?.labels?.app === 'llm-serve' && p.metadata.labels['runai/queue'])).toBe(true)
  })

  it('a JSON patch whose test fails is refused with 422 and changes nothing', async () => {
    const node = await core.readNode({ name: 'gpu-3' })
    const err = await failure(
      core.patchNode(
        {
          name: 'gpu-3',
          body: [
            { op: 'test', path: '/spec/unschedulable', value: true },
            { op: 'add', path: '/metadata/labels/x', value: 'y' },
          ],
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
      ),
    )
    expect(err.code).toBe(422)
    expect(err.body.reason).toBe('Invalid')
    expect((await core.readNode({ name: 'gpu-3' })).metadata?.resourceVersion).toBe(node.metadata?.resourceVersion)
  })

  it('a JSON patch with a passing test applies only what it names', async () => {
    const node = await core.readNode({ name: 'gpu-3' })
    const updated = await core.patchNode(
      {
        name: 'gpu-3',
        body: [
          { op: 'test', path: '/metadata/resourceVersion', value: node.metadata!.resourceVersion },
          { op: 'add', path: '/spec/taints', value: [{ key: 'a', value: 'b', effect: 'NoSchedule' }] },
        ],
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    )
    expect(updated.spec?.taints).toEqual([{ key: 'a', value: 'b', effect: 'NoSchedule' }])
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(node.metadata?.resourceVersion))
  })

  it('an update or patch carrying a stale resourceVersion gets 409 Conflict', async () => {
    const stale = await core.readNode({ name: 'gpu-4' })
    await core.patchNode(
      { name: 'gpu-4', body: { metadata: { labels: { touched: 'yes' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    )
    const put = await failure(core.replaceNode({ name: 'gpu-4', body: { ...stale, spec: { ...stale.spec, unschedulable: true } } }))
    expect(put.code).toBe(409)
    expect(put.body).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on nodes "gpu-4": the object has been modified; please apply your changes to the latest version and try again',
    })
    const patch = await failure(
      core.patchNode(
        { name: 'gpu-4', body: { metadata: { resourceVersion: stale.metadata!.resourceVersion, labels: { again: 'x' } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      ),
    )
    expect(patch.code).toBe(409)
    const fresh = await core.readNode({ name: 'gpu-4' })
    expect(fresh.metadata?.labels).toMatchObject({ touched: 'yes' })
    expect(fresh.metadata?.labels).not.toHaveProperty('again')
    expect(fresh.spec?.unschedulable).toBeUndefined()
  })

  it('an informer sees a cordon as an update', async () => {
    const informer = new k8s.ListWatch<k8s.V1Node>('/api/v1/nodes', new k8s.Watch(kc), () => core.listNode(), false)
    await informer.start()
    try {
      expect(informer.list().length).toBe(10)
      const updated = waitFor<k8s.V1Node>(
        (push) => informer.on('update', push),
        (n) => n.metadata?.name === 'gpu-6' && n.spec?.unschedulable === true,
      )
      await core.patchNode(
        { name: 'gpu-6', body: { spec: { unschedulable: true } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
      )
      expect((await updated).spec?.unschedulable).toBe(true)
      expect(informer.get('gpu-6')?.spec?.unschedulable).toBe(true)
    } finally {
      await informer.stop()
    }
  })

  it('a watch from a resourceVersion replays later events; one too old gets 410 Gone', async () => {
    const from = (await core.listNode()).metadata!.resourceVersion!
    await core.patchNode(
      { name: 'gpu-5', body: { metadata: { labels: { watched: 'yes' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    )
    const watch = new k8s.Watch(kc)
    const events: { type: string; name?: string; code?: number }[] = []
    const seen = waitFor<{ type: string; name?: string }>(
      (push) =>
        void watch.watch('/api/v1/nodes', { resourceVersion: from }, (type, obj) => push({ type, name: obj.metadata?.name }), () => {}).then((req) => {
          setTimeout(() => req.abort(), 10_000).unref()
        }),
      (e) => e.type === 'MODIFIED' && e.name === 'gpu-5',
    )
    expect(await seen).toEqual({ type: 'MODIFIED', name: 'gpu-5' })

    // 60 writes later, the first resourceVersion is out of the 50-event history.
    for (let i = 0; i < 60; i++) {
      await core.patchNode(
        { name: 'gpu-5', body: { metadata: { labels: { n: String(i) } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      )
    }
    const done = new Promise<void>((resolve) => {
      void watch.watch('/api/v1/nodes', { resourceVersion: from }, (type, obj) => events.push({ type, code: obj.code }), () => resolve())
    })
    await done
    expect(events).toEqual([{ type: 'ERROR', code: 410 }])
  })

  it('evicting a pod its PDB protects gets 429; another eviction succeeds and the pod is resubmitted', async () => {
    const [serving] = (await core.listPodForAllNamespaces({ labelSelector: 'app=llm-serve' })).items
    const blocked = await failure(
      core.createNamespacedPodEviction({
        name: serving!.metadata!.name!,
        namespace: serving!.metadata!.namespace!,
        body: { metadata: { name: serving!.metadata!.name!, namespace: serving!.metadata!.namespace! } },
      }),
    )
    expect(blocked.code).toBe(429)
    expect(blocked.body).toMatchObject({ reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget." })

    const [train] = (await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=gpu-2' })).items.filter((p) => p.spec?.priorityClassName === 'train')
    await core.createNamespacedPodEviction({
      name: train!.metadata!.name!,
      namespace: train!.metadata!.namespace!,
      body: { metadata: { name: train!.metadata!.name!, namespace: train!.metadata!.namespace! } },
    })
    const gone = await failure(core.readNamespacedPod({ name: train!.metadata!.name!, namespace: train!.metadata!.namespace! }))
    expect(gone.code).toBe(404)
    expect(gone.body.message).toBe(`pods "${train!.metadata!.name}" not found`)
    const again = (await core.listNamespacedPod({ namespace: train!.metadata!.namespace! })).items.filter((p) => ownerOf(p) === ownerOf(train!))
    expect(again.length).toBeGreaterThan(0)
    expect(again.every((p) => p.status?.phase === 'Running' && p.metadata?.uid !== train!.metadata!.uid)).toBe(true)
  })

  it('lists PDBs with disruptionsAllowed computed', async () => {
    const policy = kc.makeApiClient(k8s.PolicyV1Api)
    const pdbs = (await policy.listPodDisruptionBudgetForAllNamespaces()).items
    const byName = Object.fromEntries(pdbs.map((p) => [p.metadata!.name!, p.status?.disruptionsAllowed]))
    expect(byName['llm-serve']).toBe(0)
    expect(Object.values(byName)).toContain(1)
  })

  it('deletes a node: gone with a 404, its pods garbage-collected', async () => {
    await core.deleteNode({ name: 'cpu-2' })
    const err = await failure(core.readNode({ name: 'cpu-2' }))
    expect(err.code).toBe(404)
    expect(err.body).toMatchObject({ reason: 'NotFound', message: 'nodes "cpu-2" not found', details: { name: 'cpu-2', kind: 'nodes' } })
    expect((await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=cpu-2' })).items).toEqual([])
  })

  it('bootstrap-token Secrets sign kube-public/cluster-info, and a join with one registers the node', async () => {
    const info = await core.readNamespacedConfigMap({ name: 'cluster-info', namespace: 'kube-public' })
    expect(info.data?.kubeconfig).toContain(`server: ${cluster.url}`)
    const b64 = (s: string) => Buffer.from(s).toString('base64')
    await core.createNamespacedSecret({
      namespace: 'kube-system',
      body: {
        metadata: { name: 'bootstrap-token-abcdef' },
        type: 'bootstrap.kubernetes.io/token',
        data: {
          'token-id': b64('abcdef'),
          'token-secret': b64('0123456789abcdef'),
          'usage-bootstrap-authentication': b64('true'),
          'usage-bootstrap-signing': b64('true'),
          expiration: b64(new Date(cluster.sim.clock.nowMillis() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z')),
        },
      },
    })
    const signed = await core.readNamespacedConfigMap({ name: 'cluster-info', namespace: 'kube-public' })
    expect(signed.data?.['jws-kubeconfig-abcdef']).toMatch(/^[\w-]+\.\.[\w-]+$/)
    expect(cluster.sim.join('cpu-9', 'abcdef.0123456789abcdef')).toEqual({ node: 'cpu-9', created: true })
    const node = await core.readNode({ name: 'cpu-9' })
    expect(node.metadata?.labels?.['kubernetes.io/hostname']).toBe('cpu-9')
    // The DaemonSet controller puts its pods on the new node.
    const pods = (await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=cpu-9' })).items
    expect(pods.map((p) => p.metadata?.ownerReferences?.[0]?.name).sort()).toEqual(['kube-proxy', 'nvidia-device-plugin-daemonset'])
  })
})
