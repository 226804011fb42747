// The simulator against the real kube-apiserver: the same requests (those nodeplan and kubectl
// send) to both, comparing status codes, Status reasons and the shapes of the answers, with what
// differs by nature (uid, resourceVersion, timestamps, managedFields) set aside. A difference is
// fixed in src/simulator or listed in docs/simulator-vs-real.md with why it is harmless.
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js'
import { KUBERNETES_RELEASE, startControlPlane, type ControlPlane } from '../../scripts/control-plane.js'
import { realClusterFoundation, realNode, REAL_NODES } from '../../scripts/control-plane-seed.js'

interface Target {
  server: string
  caPem: string
  token: string
}
interface Answer {
  status: number
  contentType: string
  body: any
  /** Watch streams: the events, one per line. */
  events?: any[]
}
interface Req {
  method?: string
  path: string
  body?: unknown
  contentType?: string
  accept?: string
  token?: string
  watch?: boolean
}

function send(t: Target, req: Req): Promise<Answer> {
  const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body)
  return new Promise((resolve, reject) => {
    const r = request(
      new URL(req.path, t.server),
      {
        method: req.method ?? 'GET',
        ca: t.caPem,
        headers: {
          authorization: `Bearer ${req.token ?? t.token}`,
          accept: req.accept ?? 'application/json',
          ...(payload !== undefined ? { 'content-type': req.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
        timeout: 20_000,
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => {
          const contentType = String(res.headers['content-type'] ?? '')
          const parse = (s: string) => {
            try {
              return JSON.parse(s)
            } catch {
              return s
            }
          }
          if (req.watch && res.statusCode === 200) {
            resolve({ status: 200, contentType, body: null, events: text.split('\n').filter(Boolean).map(parse) })
          } else resolve({ status: res.statusCode ?? 0, contentType, body: parse(text) })
        })
      },
    )
    r.on('timeout', () => r.destroy(new Error(`timeout: ${req.method ?? 'GET'} ${req.path}`)))
    r.on('error', reject)
    r.end(payload)
  })
}

// timeAdded: the simulator stamps NoExecute taints, the real API server does not (docs/simulator-vs-real.md).
const SET_ASIDE = new Set(['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'selfLink', 'timeAdded'])
const setAside = (key: string) => SET_ASIDE.has(key) || /(Time|Timestamp)$/.test(key)

const withoutSetAside = (v: any): any =>
  Array.isArray(v) ? v.map(withoutSetAside) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !setAside(k)).map(([k, x]) => [k, withoutSetAside(x)])) : v

/** A Status answer as kubectl reads it; message compared as given (both name the same object). */
const statusView = (a: Answer) => ({ http: a.status, kind: a.body?.kind, status: a.body?.status, reason: a.body?.reason, code: a.body?.code, details: a.body?.details })
/** An object's envelope: kind, apiVersion and its metadata keys, less what is set aside. */
const objectView = (o: any) => ({
  kind: o?.kind,
  apiVersion: o?.apiVersion,
  metadataKeys: Object.keys(o?.metadata ?? {}).filter((k) => !setAside(k)).sort(),
})

describe(`the simulator against the real kube-apiserver ${KUBERNETES_RELEASE}`, () => {
  let sim: RunningSimulator
  let cp: ControlPlane
  let dir: string
  const targets: Record<'simulator' | 'real', Target> = {} as never

  /** Sends the request to both; the caller compares views of the two answers. */
  const both = async (req: Req | ((name: 'simulator' | 'real') => Req)) => {
    const of = (name: 'simulator' | 'real') => (typeof req === 'function' ? req(name) : req)
    const [simulator, real] = await Promise.all([send(targets.simulator, of('simulator')), send(targets.real, of('real'))])
    return { simulator, real }
  }
  const same = async <V>(req: Req, view: (a: Answer) => V): Promise<{ simulator: Answer; real: Answer }> => {
    const answers = await both(req)
    expect(view(answers.simulator), `${req.method ?? 'GET'} ${req.path}`).toEqual(view(answers.real))
    return answers
  }

  beforeAll(async () => {
    sim = await startSimulator({ port: 0 })
    dir = mkdtempSync(join(tmpdir(), 'nodeplan-differential-'))
    cp = await startControlPlane({ dir, controllers: false })
    targets.simulator = { server: sim.url, caPem: sim.caPem, token: sim.token }
    targets.real = { server: cp.server, caPem: cp.caPem, token: cp.adminToken }
    // The real side: the same node names as the simulator's, and two pods bound to gpu-1.
    const post = async (path: string, body: unknown) => {
      const res = await send(targets.real, { method: 'POST', path, body })
      if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`)
    }
    for (const o of realClusterFoundation()) {
      if (o.kind === 'Namespace') await post('/api/v1/namespaces', o)
    }
    for (const n of REAL_NODES) await post('/api/v1/nodes', realNode(n))
    for (const name of ['train-a', 'train-b']) {
      await post('/api/v1/namespaces/runai-team-a/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'runai-team-a' },
        spec: { nodeName: 'gpu-1', containers: [{ name: 'main', image: 'nvcr.io/nvidia/pytorch:24.12-py3' }] },
      })
    }
  }, 120_000)
  afterAll(async () => {
    await sim?.close()
    await cp?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('GET /version: the same fields', async () => {
    await same({ path: '/version' }, (a) => ({ http: a.status, keys: Object.keys(a.body).sort() }))
  })

  it('list nodes: a NodeList envelope', async () => {
    await same({ path: '/api/v1/nodes?limit=500' }, (a) => ({
      http: a.status,
      ...objectView(a.body),
      names: a.body.items.map((n: any) => n.metadata.name).filter((n: string) => ['gpu-1', 'cpu-1'].includes(n)),
    }))
  })

  it('get one node: the same envelope', async () => {
    await same({ path: '/api/v1/nodes/gpu-1' }, (a) => ({ http: a.status, ...objectView(a.body), name: a.body.metadata.name }))
  })

  it('get a missing node: 404 NotFound, with the same message kubectl prints', async () => {
    await same({ path: '/api/v1/nodes/no-such-node' }, (a) => ({ ...statusView(a), message: a.body.message }))
  })

  it('field selectors: metadata.name on nodes, spec.nodeName on pods', async () => {
    await same({ path: '/api/v1/nodes?fieldSelector=metadata.name%3Dgpu-1' }, (a) => a.body.items.map((n: any) => n.metadata.name))
    await same({ path: '/api/v1/pods?fieldSelector=spec.nodeName%3Dgpu-1&limit=500' }, (a) => ({
      http: a.status,
      ...objectView(a.body),
      onlyThatNode: a.body.items.length > 0 && a.body.items.every((p: any) => p.spec.nodeName === 'gpu-1'),
    }))
  })

  it('an unsupported field selector: 400 BadRequest', async () => {
    await same({ path: '/api/v1/pods?fieldSelector=spec.bogus%3Dx' }, (a) => ({ ...statusView(a), message: a.body.message }))
  })

  it('Table output: the columns kubectl prints and PartialObjectMetadata rows', async () => {
    await same({ path: '/api/v1/nodes?limit=500', accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' }, (a) => ({
      http: a.status,
      kind: a.body.kind,
      apiVersion: a.body.apiVersion,
      hasResourceVersion: typeof a.body.metadata?.resourceVersion === 'string',
      columns: a.body.columnDefinitions.map((c: any) => `${c.name}:${c.type}:${c.priority ?? 0}`),
      cells: a.body.rows[0].cells.length,
      rowObject: objectView(a.body.rows[0].object),
    }))
  })

  it('JSON patch: a failing test op is refused and changes nothing; a passing one applies', async () => {
    const failing = await same(
      {
        method: 'PATCH',
        path: '/api/v1/nodes/gpu-1',
        contentType: 'application/json-patch+json',
        body: [
          { op: 'test', path: '/spec/taints', value: [{ key: 'runai', value: 'drain', effect: 'NoExecute' }] },
          { op: 'add', path: '/metadata/labels/diff', value: 'x' },
        ],
      },
      statusView,
    )
    expect(failing.real.status).toBeGreaterThanOrEqual(400)
    await same({ path: '/api/v1/nodes/gpu-1' }, (a) => a.body.metadata.labels.diff ?? null)
    await same(
      {
        method: 'PATCH',
        path: '/api/v1/nodes/gpu-1?fieldManager=nodeplan',
        contentType: 'application/json-patch+json',
        body: [
          { op: 'add', path: '/spec/taints', value: [{ key: 'runai', value: 'drain', effect: 'NoExecute' }] },
          { op: 'add', path: '/metadata/labels/diff', value: 'x' },
        ],
      },
      (a) => ({ http: a.status, ...objectView(a.body), taints: withoutSetAside(a.body.spec.taints), label: a.body.metadata.labels.diff }),
    )
    // A test on an index past the end, as a removal by a stale writer would send.
    await same(
      {
        method: 'PATCH',
        path: '/api/v1/nodes/gpu-1',
        contentType: 'application/json-patch+json',
        body: [{ op: 'test', path: '/spec/taints/3', value: { key: 'x', effect: 'NoSchedule' } }, { op: 'remove', path: '/spec/taints/3' }],
      },
      statusView,
    )
  })

  it('strategic merge and merge patches: kubectl taint replaces the list, null deletes; labels null removes', async () => {
    const smp = { method: 'PATCH', path: '/api/v1/nodes/gpu-1?fieldManager=kubectl-taint', contentType: 'application/strategic-merge-patch+json' }
    await same({ ...smp, body: { spec: { taints: [{ key: 'other', value: 'x', effect: 'NoSchedule' }, { key: 'runai', value: 'drain', effect: 'NoExecute' }] } } }, (a) => ({
      http: a.status,
      taints: withoutSetAside(a.body.spec.taints),
    }))
    await same({ ...smp, body: { spec: { taints: null } } }, (a) => ({ http: a.status, taints: a.body.spec.taints ?? null }))
    await same(
      { method: 'PATCH', path: '/api/v1/nodes/gpu-1?fieldManager=kubectl-label', contentType: 'application/merge-patch+json', body: { metadata: { labels: { diff: null } } } },
      (a) => ({ http: a.status, label: a.body.metadata.labels.diff ?? null }),
    )
    await same({ method: 'PATCH', path: '/api/v1/nodes/gpu-1', contentType: 'application/strategic-merge-patch+json', body: { spec: { unschedulable: true } } }, (a) => ({
      http: a.status,
      unschedulable: a.body.spec.unschedulable,
    }))
    await same({ method: 'PATCH', path: '/api/v1/nodes/gpu-1', contentType: 'application/strategic-merge-patch+json', body: { spec: { unschedulable: null } } }, (a) => ({
      http: a.status,
      unschedulable: a.body.spec.unschedulable ?? null,
    }))
  })

  it('patch errors: an unsupported content type, a malformed body, a missing node', async () => {
    await same({ method: 'PATCH', path: '/api/v1/nodes/gpu-1', contentType: 'text/plain', body: 'x' }, (a) => ({ http: a.status, reason: a.body?.reason }))
    await same({ method: 'PATCH', path: '/api/v1/nodes/gpu-1', contentType: 'application/json-patch+json', body: '{not json' }, (a) => ({ http: a.status, reason: a.body?.reason }))
    await same({ method: 'PATCH', path: '/api/v1/nodes/no-such-node', contentType: 'application/merge-patch+json', body: { metadata: { labels: { a: 'b' } } } }, (a) => ({
      ...statusView(a),
      message: a.body.message,
    }))
  })

  it('watch with bookmarks and initial events, as kubectl delete waits: ADDED, then the initial-events-end BOOKMARK', async () => {
    await same(
      {
        path: '/api/v1/nodes?allowWatchBookmarks=true&fieldSelector=metadata.name%3Dcpu-1&resourceVersionMatch=NotOlderThan&sendInitialEvents=true&timeoutSeconds=1&watch=true',
        watch: true,
      },
      (a) => ({
        http: a.status,
        types: a.events!.map((e) => e.type),
        added: a.events!.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name),
        bookmark: a.events!.filter((e) => e.type === 'BOOKMARK').map((e) => ({ kind: e.object.kind, apiVersion: e.object.apiVersion, annotations: e.object.metadata.annotations })),
      }),
    )
  })

  it('bootstrap-token Secrets: created as kubeadm writes them, and a second one with the same name is a 409 AlreadyExists', async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' },
      type: 'bootstrap.kubernetes.io/token',
      stringData: { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', 'usage-bootstrap-signing': 'true', expiration: '2099-01-01T00:00:00Z' },
    }
    const create = { method: 'POST', path: '/api/v1/namespaces/kube-system/secrets', body: secret }
    await same(create, (a) => ({ http: a.status, ...objectView(a.body), type: a.body.type, dataKeys: Object.keys(a.body.data ?? {}).sort(), stringData: a.body.stringData ?? null }))
    await same(create, (a) => ({ ...statusView(a), message: a.body.message }))
    await same({ method: 'POST', path: '/api/v1/namespaces/kube-system/secrets', body: { ...secret, type: 'bootstrap.kubernetes.io/token', metadata: { name: 'bootstrap-token-bad', namespace: 'kube-system' }, stringData: { 'token-id': 'x' } } }, (a) => ({
      http: a.status,
      reason: a.body.reason,
    }))
  })

  it('Leases: create, read, and an update from a stale resourceVersion is a 409 Conflict', async () => {
    const path = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases'
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'nodeplan-diff', namespace: 'kube-system' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } }
    const created = await same({ method: 'POST', path, body: lease }, (a) => ({ http: a.status, ...objectView(a.body), spec: a.body.spec }))
    await same({ path: `${path}/nodeplan-diff` }, (a) => ({ http: a.status, holder: a.body.spec?.holderIdentity }))
    const update = (name: 'simulator' | 'real', rv: string) => ({
      method: 'PUT',
      path: `${path}/nodeplan-diff`,
      body: { ...lease, metadata: { ...lease.metadata, resourceVersion: rv }, spec: { holderIdentity: 'b', leaseDurationSeconds: 15 } },
    })
    const first = await both((name) => update(name, created[name].body.metadata.resourceVersion))
    expect({ sim: first.simulator.status, real: first.real.status }).toEqual({ sim: 200, real: 200 })
    const stale = await both((name) => update(name, created[name].body.metadata.resourceVersion))
    expect(statusView(stale.simulator)).toEqual(statusView(stale.real))
  })

  it('delete: a missing node is 404; an existing one answers with the object, then is gone', async () => {
    await same({ method: 'DELETE', path: '/api/v1/nodes/no-such-node', body: { propagationPolicy: 'Background' } }, (a) => ({ ...statusView(a), message: a.body.message }))
    await same({ method: 'DELETE', path: '/api/v1/nodes/cpu-2', body: { propagationPolicy: 'Background' } }, (a) => ({ http: a.status, ...objectView(a.body) }))
    await same({ path: '/api/v1/nodes/cpu-2' }, statusView)
  })

  it('a wrong token: 401 Unauthorized', async () => {
    await same({ path: '/api/v1/nodes', token: 'not-a-token' }, (a) => ({ ...statusView(a), message: a.body.message }))
  })
})
