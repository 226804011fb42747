// The HTTP surface, request by request: authentication, discovery, Status errors, Table,
// pagination, watches, and the /_sim control endpoints.
import { request } from 'node:https'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCluster, type TestCluster } from '../support/simulator.js'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json: () => any // eslint-disable-line @typescript-eslint/no-explicit-any
}

let cluster: TestCluster

function call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {}): Promise<Reply> {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
  const token = options.token === undefined ? cluster.token : options.token
  return new Promise((resolve, reject) => {
    const req = request(
      `${cluster.url}${path}`,
      {
        method,
        ca: cluster.caPem,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) })
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

interface WatchEvent {
  type: string
  object: any // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Opens a watch; `ready` once the server answered (it is then subscribed), `events` once `count` arrived. */
function watchEvents(path: string, count: number, headers: Record<string, string> = {}): { ready: Promise<void>; events: Promise<WatchEvent[]>; close: () => void } {
  let markReady: () => void
  let close = () => {}
  const ready = new Promise<void>((r) => (markReady = r))
  const events = new Promise<WatchEvent[]>((resolve, reject) => {
    const events: WatchEvent[] = []
    const req = request(`${cluster.url}${path}`, { ca: cluster.caPem, headers: { Authorization: `Bearer ${cluster.token}`, ...headers } }, (res) => {
      markReady()
      let buffer = ''
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8')
        let nl
        while ((nl = buffer.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buffer.slice(0, nl)))
          buffer = buffer.slice(nl + 1)
          if (events.length === count) {
            req.destroy()
            resolve(events)
          }
        }
      })
      res.on('end', () => resolve(events))
    })
    req.on('error', (e) => (events.length >= count ? undefined : reject(e)))
    req.end()
    close = () => {
      req.destroy()
      resolve(events)
    }
  })
  return { ready, events, close: () => close() }
}

beforeAll(async () => {
  cluster = await startTestCluster()
})
afterAll(() => cluster.close())

describe('authentication and errors', () => {
  it('answers 401 with an Unauthorized Status without the token or with a wrong one', async () => {
    for (const token of [null, 'wrong']) {
      const r = await call('GET', '/api/v1/nodes', { token })
      expect(r.status).toBe(401)
      expect(r.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 })
    }
  })

  it('answers unknown routes with a 404 Status', async () => {
    for (const path of ['/api/v1/widgets', '/apis/batch/v1/jobs', '/nope', '/api/v1/nodes/gpu-1/proxy']) {
      const r = await call('GET', path)
      expect(r.status).toBe(404)
      expect(r.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'the server could not find the requested resource' })
    }
  })

  it('names the missing object like the API server does', async () => {
    expect((await call('GET', '/api/v1/namespaces/default/pods/ghost')).json()).toMatchObject({
      code: 404,
      message: 'pods "ghost" not found',
      details: { name: 'ghost', kind: 'pods' },
    })
    expect((await call('GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/x')).json()).toMatchObject({
      message: 'poddisruptionbudgets.policy "x" not found',
      details: { name: 'x', group: 'policy', kind: 'poddisruptionbudgets' },
    })
  })

  it('refuses creating an object that exists with 409 AlreadyExists', async () => {
    const r = await call('POST', '/api/v1/namespaces', { body: { metadata: { name: 'default' } } })
    expect(r.status).toBe(409)
    expect(r.json()).toMatchObject({ reason: 'AlreadyExists', message: 'namespaces "default" already exists' })
  })

  it('refuses a Lease whose times are not MicroTime (six fractional digits), as the real API server does', async () => {
    const lease = (renewTime: string) => ({ metadata: { name: `l-${renewTime.length}` }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime } })
    const millis = await call('POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', { body: lease('2026-12-06T04:24:37.952Z') })
    expect(millis.status).toBe(400)
    expect(millis.json()).toMatchObject({ reason: 'BadRequest' })
    const micros = await call('POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', { body: lease('2026-12-06T04:24:37.952000Z') })
    expect(micros.status).toBe(201)
  })

  it('keeps the resourceVersion for a patch that changes nothing (kubectl label with the same value)', async () => {
    const before = (await call('GET', '/api/v1/nodes/gpu-3')).json().metadata.resourceVersion
    const r = await call('PATCH', '/api/v1/nodes/gpu-3?fieldManager=kubectl-label', { body: {}, headers: { 'Content-Type': 'application/merge-patch+json' } })
    expect(r.status).toBe(200)
    expect(r.json().metadata.resourceVersion).toBe(before)
    const same = await call('PATCH', '/api/v1/nodes/gpu-3', {
      body: { metadata: { labels: { 'node-role.kubernetes.io/runai-gpu-worker': '' } } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    })
    expect(same.json().metadata.resourceVersion).toBe(before)
  })

  it('deletes a namespace with its contents; nothing in it is resubmitted', async () => {
    const ns = (await call('GET', '/api/v1/namespaces')).json().items.find((n: { metadata: { name: string } }) => n.metadata.name.startsWith('runai-')).metadata.name
    expect((await call('GET', `/api/v1/namespaces/${ns}/pods`)).json().items.length).toBeGreaterThan(0)
    expect((await call('DELETE', `/api/v1/namespaces/${ns}`)).status).toBe(200)
    expect((await call('GET', `/api/v1/namespaces/${ns}/pods`)).json().items).toEqual([])
    expect((await call('GET', `/api/v1/namespaces/${ns}`)).status).toBe(404)
    const created = await call('POST', '/api/v1/namespaces', { body: { metadata: { name: 'scratch' } } })
    expect(created.json()).toMatchObject({ metadata: { name: 'scratch', labels: { 'kubernetes.io/metadata.name': 'scratch' } }, status: { phase: 'Active' } })
    const cm = await call('POST', '/api/v1/namespaces/scratch/configmaps', { body: { metadata: { name: 'c' }, data: { a: 'b' } } })
    expect(cm.status).toBe(201)
    expect((await call('GET', '/api/v1/namespaces/scratch/configmaps/c')).json().data).toEqual({ a: 'b' })
    expect((await call('POST', '/api/v1/namespaces/nowhere/configmaps', { body: { metadata: { name: 'c' } } })).json()).toMatchObject({
      code: 404,
      message: 'namespaces "nowhere" not found',
    })
  })

  it('refuses an unknown patch type with 415', async () => {
    const r = await call('PATCH', '/api/v1/nodes/gpu-1', { body: {}, headers: { 'Content-Type': 'application/yaml' } })
    expect(r.status).toBe(415)
  })
})

describe('discovery', () => {
  it('serves /version', async () => {
    expect((await call('GET', '/version')).json()).toMatchObject({ major: '1', minor: '35', gitVersion: 'v1.35.0' })
  })

  it('answers aggregated discovery with the v2 content type', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json'
    const core = await call('GET', '/api', { headers: { Accept: accept } })
    expect(core.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')
    const resources = core.json().items[0].versions[0].resources
    expect(resources.find((r: { resource: string }) => r.resource === 'pods').subresources).toContainEqual({
      subresource: 'eviction',
      responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' },
      verbs: ['create'],
    })
    const groups = (await call('GET', '/apis', { headers: { Accept: accept } })).json()
    expect(groups.items.map((g: { metadata: { name: string } }) => g.metadata.name)).toEqual(['apps', 'policy', 'coordination.k8s.io'])
  })

  it('answers plain discovery and the /api/v1 resource list with pods/eviction', async () => {
    expect((await call('GET', '/api')).json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] })
    expect((await call('GET', '/apis')).json().groups.map((g: { name: string }) => g.name)).toEqual(['apps', 'policy', 'coordination.k8s.io'])
    const v1 = (await call('GET', '/api/v1')).json()
    expect(v1.resources).toContainEqual({ name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] })
    expect((await call('GET', '/apis/apps/v1')).json().resources.map((r: { name: string }) => r.name)).toContain('daemonsets')
  })
})

describe('lists and tables', () => {
  it('serves a node Table with STATUS and ROLES and row objects', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json'
    const cordon = await call('PATCH', '/api/v1/nodes/gpu-2', {
      body: { spec: { unschedulable: true } },
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
    })
    expect(cordon.status).toBe(200)
    const t = (await call('GET', '/api/v1/nodes?limit=500', { headers: { Accept: accept } })).json()
    expect(t.kind).toBe('Table')
    expect(t.columnDefinitions.slice(0, 5).map((c: { name: string }) => c.name)).toEqual(['Name', 'Status', 'Roles', 'Age', 'Version'])
    const row = t.rows.find((r: { cells: string[] }) => r.cells[0] === 'gpu-2')
    expect(row.cells.slice(0, 3)).toEqual(['gpu-2', 'Ready,SchedulingDisabled', 'runai-gpu-worker'])
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'gpu-2' } })
    expect(Number(t.metadata.resourceVersion)).toBeGreaterThan(0)
    await call('PATCH', '/api/v1/nodes/gpu-2', { body: { spec: { unschedulable: null } }, headers: { 'Content-Type': 'application/strategic-merge-patch+json' } })
  })

  it('pages a list with limit and continue', async () => {
    const first = (await call('GET', '/api/v1/nodes?limit=4')).json()
    expect(first.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(['cpu-1', 'cpu-2', 'gpu-1', 'gpu-2'])
    expect(first.metadata.remainingItemCount).toBe(6)
    const second = (await call('GET', `/api/v1/nodes?limit=4&continue=${encodeURIComponent(first.metadata.continue)}`)).json()
    expect(second.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(['gpu-3', 'gpu-4', 'gpu-5', 'gpu-6'])
    const third = (await call('GET', `/api/v1/nodes?limit=4&continue=${encodeURIComponent(second.metadata.continue)}`)).json()
    expect(third.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(['sys-1', 'sys-2'])
    expect(third.metadata.continue).toBeUndefined()
  })

  it('filters pods by field and label selectors, in one namespace or all', async () => {
    const onNode = (await call('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dgpu-3')).json()
    expect(onNode.kind).toBe('PodList')
    expect(onNode.items.every((p: { spec: { nodeName: string } }) => p.spec.nodeName === 'gpu-3')).toBe(true)
    const proxies = (await call('GET', '/api/v1/namespaces/kube-system/pods?labelSelector=app%3Dkube-proxy')).json()
    expect(proxies.items).toHaveLength(10)
    const notProxies = (await call('GET', '/api/v1/namespaces/kube-system/pods?labelSelector=app!%3Dkube-proxy')).json()
    expect(notProxies.items).toHaveLength(0)
    const byName = (await call('GET', `/api/v1/namespaces/kube-system/pods?fieldSelector=metadata.name%3D${proxies.items[0].metadata.name}`)).json()
    expect(byName.items).toHaveLength(1)
    const bad = await call('GET', '/api/v1/pods?fieldSelector=spec.color%3Dred')
    expect(bad.status).toBe(400)
    expect(bad.json().message).toBe('field label not supported: spec.color')
  })
})

describe('watch', () => {
  it('sends initial events, the initial-events-end bookmark, then changes (kubectl delete node)', async () => {
    const watch = watchEvents(
      '/api/v1/nodes?allowWatchBookmarks=true&fieldSelector=metadata.name%3Dcpu-2&resourceVersionMatch=NotOlderThan&sendInitialEvents=true&timeoutSeconds=30&watch=true',
      3,
    )
    await watch.ready
    const del = await call('DELETE', '/api/v1/nodes/cpu-2', { body: { propagationPolicy: 'Background' } })
    expect(del.text).toContain('"name":"cpu-2"')
    expect(del.status).toBe(200)
    const [added, bookmark, deleted] = await watch.events
    expect(added).toMatchObject({ type: 'ADDED', object: { kind: 'Node', metadata: { name: 'cpu-2' } } })
    expect(bookmark).toMatchObject({ type: 'BOOKMARK', object: { kind: 'Node', metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } } })
    expect(deleted).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'cpu-2' } } })
    cluster.sim.restartKubelet('cpu-2')
  })

  it('streams one-row Tables to a Table watch (kubectl get nodes --watch)', async () => {
    const rv = (await call('GET', '/api/v1/nodes')).json().metadata.resourceVersion
    const watch = watchEvents(`/api/v1/nodes?resourceVersion=${rv}&watch=true`, 1, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })
    await watch.ready
    await call('PATCH', '/api/v1/nodes/gpu-4', { body: { metadata: { labels: { a: 'b' } } }, headers: { 'Content-Type': 'application/merge-patch+json' } })
    const [event] = await watch.events
    expect(event!.type).toBe('MODIFIED')
    expect(event!.object.kind).toBe('Table')
    expect(event!.object.rows[0].cells.slice(0, 2)).toEqual(['gpu-4', 'Ready'])
  })

  it('sends a bookmark when simulated time passes, if bookmarks were asked for', async () => {
    const rv = (await call('GET', '/api/v1/nodes')).json().metadata.resourceVersion
    const watch = watchEvents(`/api/v1/nodes?resourceVersion=${rv}&watch=true&allowWatchBookmarks=true`, 1)
    await watch.ready
    cluster.sim.clock.advance(60)
    const [event] = await watch.events
    expect(event).toEqual({ type: 'BOOKMARK', object: { kind: 'Node', apiVersion: 'v1', metadata: { resourceVersion: expect.any(String) } } })
  })

  it('answers a watch from a resourceVersion no longer in the history with a 410 ERROR event', async () => {
    const small = await startTestCluster({ watchHistoryLimit: 5 })
    try {
      for (let i = 0; i < 10; i++) small.sim.failNode(i % 2 ? 'gpu-1' : 'gpu-2')
      const r = await new Promise<string>((resolve, reject) => {
        const req = request(`${small.url}/api/v1/nodes?watch=true&resourceVersion=1`, { ca: small.caPem, headers: { Authorization: `Bearer ${small.token}` } }, (res) => {
          let t = ''
          res.on('data', (c: Buffer) => (t += c))
          res.on('end', () => resolve(t))
        })
        req.on('error', reject)
        req.end()
      })
      const event = JSON.parse(r.trim())
      expect(event).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: expect.stringMatching(/^too old resource version: 1 \(\d+\)$/) } })
    } finally {
      await small.close()
    }
  })

  it('turns label changes into ADDED/DELETED for a label-selected watch', async () => {
    const rv = (await call('GET', '/api/v1/nodes')).json().metadata.resourceVersion
    const watch = watchEvents(`/api/v1/nodes?resourceVersion=${rv}&watch=true&labelSelector=pool%3Dx`, 2)
    await watch.ready
    const label = (v: string | null) =>
      call('PATCH', '/api/v1/nodes/gpu-6', { body: { metadata: { labels: { pool: v } } }, headers: { 'Content-Type': 'application/merge-patch+json' } })
    await label('x')
    await label(null)
    expect((await watch.events).map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED gpu-6', 'DELETED gpu-6'])
  })
})

describe('/_sim control endpoints', () => {
  it('fails and recovers a node, advances the clock, and reports state', async () => {
    expect((await call('POST', '/_sim/nodes/gpu-5/fail')).json()).toMatchObject({ node: 'gpu-5', state: { ready: false, failed: true } })
    const before = (await call('GET', '/_sim/state')).json()
    expect(before.pods.byNode['gpu-5']).toBeGreaterThan(2)
    expect((await call('POST', '/_sim/clock/advance', { body: { seconds: 300 } })).status).toBe(200)
    const after = (await call('GET', '/_sim/state')).json()
    expect(after.pods.byNode['gpu-5']).toBe(2)
    expect(Date.parse(after.clock) - Date.parse(before.clock)).toBe(300_000)
    expect((await call('POST', '/_sim/nodes/gpu-5/recover')).json().state).toMatchObject({ ready: true, failed: false })
    expect((await call('POST', '/_sim/nodes/ghost/fail')).status).toBe(404)
    expect((await call('POST', '/_sim/clock/advance', { body: { seconds: -1 } })).status).toBe(400)
  })

  it('joins a node with a bootstrap token over HTTP', async () => {
    const refused = await call('POST', '/_sim/join', { body: { node: 'gpu-8', token: 'qwerty.0123456789abcdef' } })
    expect(refused.status).toBe(401)
    expect(refused.json().message).toContain('token ID "qwerty"')
  })

  it('restarts a deleted node\'s kubelet', async () => {
    await call('DELETE', '/api/v1/nodes/cpu-1')
    const r = await call('POST', '/_sim/nodes/cpu-1/restart-kubelet')
    expect(r.status).toBe(200)
    expect((await call('GET', '/api/v1/nodes/cpu-1')).json().metadata.labels).not.toHaveProperty('node-role.kubernetes.io/runai-cpu-worker')
  })

  it('logs the API requests it served (verb, resource, subresource, namespace) and clears the log', async () => {
    await call('DELETE', '/_sim/requests')
    await call('GET', '/api/v1/nodes')
    await call('GET', '/api/v1/namespaces/kube-system/pods?watch=false')
    await call('PATCH', '/api/v1/nodes/gpu-1/status', { body: {}, headers: { 'Content-Type': 'application/merge-patch+json' } })
    await call('GET', '/api/v1/namespaces/default/secrets/missing')
    const watch = watchEvents('/apis/apps/v1/daemonsets?watch=true&resourceVersion=0', Infinity)
    await watch.ready
    const log = (await call('GET', '/_sim/requests')).json().requests
    expect(log).toEqual([
      { verb: 'list', resource: 'nodes', subresource: null, namespace: null, name: null, code: 200 },
      { verb: 'list', resource: 'pods', subresource: null, namespace: 'kube-system', name: null, code: 200 },
      { verb: 'patch', resource: 'nodes', subresource: 'status', namespace: null, name: 'gpu-1', code: 200 },
      { verb: 'get', resource: 'secrets', subresource: null, namespace: 'default', name: 'missing', code: 404 },
      { verb: 'watch', resource: 'daemonsets', subresource: null, namespace: null, name: null, code: 0 },
    ])
    watch.close()
    expect((await watch.events).map((e) => e.object.metadata.name)).toEqual(['nvidia-device-plugin-daemonset', 'kube-proxy'])
    await call('DELETE', '/_sim/requests')
    expect((await call('GET', '/_sim/requests')).json().requests).toEqual([])
  })
})
