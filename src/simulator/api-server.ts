// The Kubernetes API over HTTP: authentication, fault injection, discovery, and the REST
// verbs on every resource type, answering with real Status objects.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import { isDeepStrictEqual } from 'node:util'
import { applyPatch, checkPatchType, type Json } from './patch.js'
import { readJson } from './request-body.js'
import {
  aggregatedDiscovery,
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  apiVersionOf,
  apiVersions,
  findResource,
  RESOURCES,
  type ResourceType,
} from './resources.js'
import { matchesFields, parseFieldSelector, parseLabelSelector } from './selectors.js'
import { handleSimRoute, type FleetMember } from './sim-routes.js'
import type { Simulation } from './simulation.js'
import {
  ApiError,
  badRequest,
  conflict,
  internalError,
  methodNotAllowed,
  serviceUnavailable,
  successStatus,
  tooManyRequests,
  unauthorized,
  unknownRoute,
} from './status.js'
import { keyOf, lowerBound, type KubeObject, type ResourceStore } from './store.js'
import { tableHead, tableRow } from './table.js'
import { serveWatch } from './watch.js'

export const VERSION_INFO = {
  major: '1',
  minor: '35',
  emulationMajor: '1',
  emulationMinor: '35',
  minCompatibilityMajor: '1',
  minCompatibilityMinor: '34',
  gitVersion: 'v1.35.0',
  gitCommit: '66452049f3d692768c39c797b21b793dce80314e',
  gitTreeState: 'clean',
  buildDate: '2025-12-17T12:32:06Z',
  goVersion: 'go1.25.5',
  compiler: 'gc',
  platform: 'linux/amd64',
}

const DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'

interface Route {
  type: ResourceType
  namespace: string | undefined
  name: string | undefined
  subresource: string | undefined
}

export interface ApiServerContext {
  sim: Simulation
  token: string
  serverUrl: () => string
  /** The clusters /_sim/clusters reaches: this one, or its whole fleet. */
  members: () => readonly FleetMember[]
}

export function createRequestHandler(ctx: ApiServerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch((error: unknown) => {
      const apiError = error instanceof ApiError ? error : internalError((error as Error)?.message ?? String(error))
      if (!res.headersSent) sendJson(res, apiError.code, apiError.body())
      else res.end()
    })
  }
}

async function handle(ctx: ApiServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://simulator.invalid')
  const path = url.pathname.replace(/\/+$/, '') || '/'
  if (path === '/_sim' || path.startsWith('/_sim/')) return handleSimRoute(ctx.sim, ctx.members, req, res, path)

  return ctx.sim.asApiRequest(() => handleApi(ctx, req, res, url, path))
}

async function handleApi(ctx: ApiServerContext, req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> {
  const auth = req.headers.authorization ?? ''
  if (auth !== `Bearer ${ctx.token}`) throw unauthorized()

  const faults = ctx.sim.faults()
  if (faults && (!faults.paths || new RegExp(faults.paths).test(path))) {
    if (faults.unreachable || (faults.resetRate && ctx.sim.faultRoll() < faults.resetRate)) {
      req.socket.destroy()
      return
    }
    if (faults.latencyMs) await delay(faults.latencyMs)
    if (faults.errorRate && ctx.sim.faultRoll() < faults.errorRate) {
      const status = faults.errorStatus ?? 500
      if (status === 429) res.setHeader('Retry-After', '1')
      throw status === 503
        ? serviceUnavailable('the server is currently unable to handle the request (injected fault)')
        : status === 429
          ? tooManyRequests('the server has received too many requests and has asked us to try again later (injected fault)')
          : internalError('injected fault')
    }
  }

  switch (path) {
    case '/version':
      return sendJson(res, 200, VERSION_INFO)
    case '/healthz':
    case '/livez':
    case '/readyz':
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('ok')
      return
    case '/api':
      return discovery(req, res, true, ctx)
    case '/apis':
      return discovery(req, res, false, ctx)
    case '/api/v1':
      return sendJson(res, 200, apiResourceList('', 'v1'))
  }
  const groupMatch = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path)
  if (groupMatch) {
    const [, group, version] = groupMatch as unknown as [string, string, string | undefined]
    if (version === undefined) {
      const doc = apiGroupDocument(group)
      if (doc) return sendJson(res, 200, doc)
    } else if (RESOURCES.some((r) => r.group === group && r.version === version)) {
      return sendJson(res, 200, apiResourceList(group, version))
    }
    throw unknownRoute()
  }

  const route = parseRoute(path)
  if (!route) throw unknownRoute()
  const verb = verbOf(req.method ?? 'GET', route, url)
  // Logged when it arrives (a watch may never finish); the status code is filled in on close.
  const record = { verb, resource: route.type.plural, subresource: route.subresource ?? null, namespace: route.namespace ?? null, name: route.name ?? null, code: 0 }
  ctx.sim.recordRequest(record)
  res.on('close', () => (record.code = res.statusCode))

  if (faults?.conflictRate && route.name && ['update', 'patch'].includes(verb) && (!faults.paths || new RegExp(faults.paths).test(path))) {
    if (ctx.sim.faultRoll() < faults.conflictRate) throw conflict(route.type, route.name)
  }
  await serveResource(ctx, req, res, url, route, verb)
}

function discovery(req: IncomingMessage, res: ServerResponse, core: boolean, ctx: ApiServerContext): void {
  const accept = req.headers.accept ?? ''
  if (accept.includes('as=APIGroupDiscoveryList') && accept.includes('v=v2')) {
    return sendJson(res, 200, aggregatedDiscovery(core), DISCOVERY_V2)
  }
  const host = new URL(ctx.serverUrl()).host
  return sendJson(res, 200, core ? apiVersions(host) : apiGroupList())
}

function parseRoute(path: string): Route | null {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(.+)$/.exec(path)
  if (!m) return null
  const group = m[2] ?? ''
  const version = m[1] ?? m[3]!
  const segments = m[4]!.split('/').map(decodeURIComponent)
  if (segments[0] === 'namespaces' && segments.length >= 3) {
    const type = findResource(group, version, segments[2]!)
    if (type?.namespaced) {
      if (segments.length > 5) return null
      return { type, namespace: segments[1], name: segments[3], subresource: segments[4] }
    }
  }
  const type = findResource(group, version, segments[0]!)
  if (!type || segments.length > 3) return null
  if (type.namespaced && segments.length > 1) return null
  return { type, namespace: undefined, name: segments[1], subresource: segments[2] }
}

function verbOf(method: string, route: Route, url: URL): string {
  const watch = url.searchParams.get('watch')
  switch (method) {
    case 'GET':
      if (route.name) return 'get'
      return watch === 'true' || watch === '1' ? 'watch' : 'list'
    case 'POST':
      return 'create'
    case 'PUT':
      return 'update'
    case 'PATCH':
      return 'patch'
    case 'DELETE':
      return route.name ? 'delete' : 'deletecollection'
    default:
      return method.toLowerCase()
  }
}

async function serveResource(ctx: ApiServerContext, req: IncomingMessage, res: ServerResponse, url: URL, route: Route, verb: string): Promise<void> {
  const { sim } = ctx
  const { type, namespace, name, subresource } = route
  const store = sim.store(type)
  const allowed = subresource ? type.subresources.find((s) => s.name === subresource) : undefined
  if (subresource && !allowed) throw unknownRoute()
  if (!(subresource ? allowed!.verbs : type.verbs).includes(verb)) throw methodNotAllowed()

  if (type.plural === 'pods' && subresource === 'eviction') {
    const body = (await readJson(req)) as { metadata?: { name?: string } } | null
    if (body?.metadata?.name && body.metadata.name !== name) throw badRequest(`name in URL does not match name in Eviction object`)
    sim.evict(namespace!, name!)
    return sendJson(res, 201, successStatus(201))
  }

  switch (verb) {
    case 'get': {
      const obj = store.mustGet(namespace, name!)
      if (wantsTable(req)) return sendTable(res, type, [obj], sim, url, null)
      return sendJson(res, 200, obj)
    }
    case 'list':
      return sendList(req, res, url, store, namespace, sim)
    case 'watch':
      return watch(req, res, url, store, namespace, sim)
    case 'create': {
      const body = asObject(await readJson(req), type)
      const obj = sim.admitCreate(type, body, namespace)
      if (isDryRun(url)) return sendJson(res, 201, obj)
      return sendJson(res, 201, store.create(obj))
    }
    case 'update': {
      const body = asObject(await readJson(req), type)
      if (body.metadata?.name && body.metadata.name !== name) {
        throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`)
      }
      const old = store.mustGet(namespace, name!)
      const next = sim.admitUpdate(type, { ...body, metadata: { ...body.metadata, name: name! } }, old, subresource === 'status' ? 'status' : 'main')
      const expected = body.metadata?.resourceVersion
      if (isDryRun(url)) return sendJson(res, 200, next)
      if (expected && expected !== old.metadata.resourceVersion) throw conflict(type, name!)
      return sendJson(res, 200, unchanged(next, old) ? old : store.update(next, expected || undefined))
    }
    case 'patch': {
      const contentType = req.headers['content-type'] ?? ''
      checkPatchType(contentType)
      const body = (await readJson(req)) as Json
      const old = store.mustGet(namespace, name!)
      const patched = applyPatch(old as unknown as { [key: string]: Json }, contentType, body) as unknown as KubeObject
      if (!patched.metadata || typeof patched.metadata !== 'object') throw badRequest('metadata must be an object')
      if (patched.metadata.name !== undefined && patched.metadata.name !== name) {
        throw badRequest(`the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`)
      }
      // A resourceVersion in the patch is a precondition, as with an update.
      const patchRv = patched.metadata.resourceVersion
      const expected = patchRv !== old.metadata.resourceVersion ? (patchRv ?? undefined) : undefined
      if (expected !== undefined && expected !== old.metadata.resourceVersion) throw conflict(type, name!)
      const next = sim.admitUpdate(type, { ...patched, metadata: { ...patched.metadata, name: name! } }, old, subresource === 'status' ? 'status' : 'main')
      if (isDryRun(url)) return sendJson(res, 200, next)
      return sendJson(res, 200, unchanged(next, old) ? old : store.update(next, old.metadata.resourceVersion))
    }
    case 'delete': {
      const body = (await readJson(req)) as { preconditions?: { uid?: string; resourceVersion?: string } } | null
      const old = store.mustGet(namespace, name!)
      const pre = body?.preconditions
      if (pre?.uid && pre.uid !== old.metadata.uid) {
        throw new ApiError(409, 'Conflict', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`, {
          name,
          kind: type.plural,
        })
      }
      if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
        throw new ApiError(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`, {
          name,
          kind: type.plural,
        })
      }
      if (isDryRun(url)) return sendJson(res, 200, old)
      if (type.plural === 'namespaces') {
        // Terminating first, so no controller recreates what the namespace deletion removes.
        store.update({ ...old, metadata: { ...old.metadata, deletionTimestamp: sim.clock.timestamp() }, status: { phase: 'Terminating' } })
        for (const t of RESOURCES) if (t.namespaced) for (const o of sim.store(t).list(name)) sim.store(t).delete(name, o.metadata.name)
      }
      const deleted = store.delete(namespace, name!)
      // Pods and namespaces answer with the object; nodes, like most, with a Success Status (test/real/differential.test.ts).
      return sendJson(res, 200, type.plural === 'pods' || type.plural === 'namespaces' ? deleted : successStatus(200, { name, kind: type.plural, uid: deleted.metadata.uid }))
    }
    case 'deletecollection': {
      const items = filtered(store, namespace, url, type)
      if (!isDryRun(url)) for (const o of items) store.delete(o.metadata.namespace, o.metadata.name)
      return sendJson(res, 200, { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: { resourceVersion: String(sim.revision.current()) }, items })
    }
    default:
      throw methodNotAllowed()
  }
}

/** A write that changes nothing is not stored: the resourceVersion stays, no watch event is sent. */
function unchanged(next: KubeObject, old: KubeObject): boolean {
  const { resourceVersion: _a, ...nextMeta } = next.metadata
  const { resourceVersion: _b, ...oldMeta } = old.metadata
  return isDeepStrictEqual({ ...next, metadata: nextMeta }, { ...old, metadata: oldMeta })
}

function asObject(body: unknown, type: ResourceType): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`)
  const obj = body as KubeObject
  if (obj.kind !== undefined && obj.kind !== type.kind) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`)
  }
  return { ...obj, metadata: { ...(obj.metadata ?? {}) } as KubeObject['metadata'] }
}

const isDryRun = (url: URL): boolean => url.searchParams.getAll('dryRun').includes('All')

function wantsTable(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? ''
  return accept.split(',')[0]!.includes('as=Table')
}

function selectorFilter(url: URL, type: ResourceType): (obj: KubeObject) => boolean {
  const labels = parseLabelSelector(url.searchParams.get('labelSelector'))
  const fields = parseFieldSelector(url.searchParams.get('fieldSelector'), ['metadata.name', 'metadata.namespace', ...type.fields])
  return (obj) => labels.matches(obj.metadata.labels) && matchesFields(obj, fields)
}

/** Matching objects in key order; a `spec.nodeName=` selector on pods uses the node index. */
function filtered(store: ResourceStore, namespace: string | undefined, url: URL, type: ResourceType): KubeObject[] {
  const match = selectorFilter(url, type)
  const fields = parseFieldSelector(url.searchParams.get('fieldSelector'), ['metadata.name', 'metadata.namespace', ...type.fields])
  const byNode = fields.find((f) => f.field === 'spec.nodeName' && f.equals && f.value !== '')
  const byName = fields.find((f) => f.field === 'metadata.name' && f.equals)
  let candidates: KubeObject[]
  if (byNode && type.plural === 'pods') candidates = store.byIndex(byNode.value)
  else if (byName && !type.namespaced) {
    const one = store.get(undefined, byName.value)
    candidates = one ? [one] : []
  } else candidates = store.list(namespace)
  const out: KubeObject[] = []
  for (const obj of candidates) {
    if (namespace && obj.metadata.namespace !== namespace) continue
    if (match(obj)) out.push(obj)
  }
  return out
}

function sendList(req: IncomingMessage, res: ServerResponse, url: URL, store: ResourceStore, namespace: string | undefined, sim: Simulation): Promise<void> {
  const type = store.type
  const rv = String(sim.revision.current())
  const limit = Number(url.searchParams.get('limit') ?? 0)
  const cont = url.searchParams.get('continue')
  let after: string | null = null
  if (cont) {
    try {
      after = JSON.parse(Buffer.from(cont, 'base64').toString('utf8')).start as string
    } catch {
      throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)')
    }
  }
  let items: KubeObject[]
  let more = false
  let remaining: number | undefined
  const fields = parseFieldSelector(url.searchParams.get('fieldSelector'), ['metadata.name', 'metadata.namespace', ...type.fields])
  const indexed = fields.some((f) => f.equals && ((f.field === 'spec.nodeName' && f.value !== '' && type.plural === 'pods') || (f.field === 'metadata.name' && !type.namespaced)))
  if (limit > 0 && !indexed) {
    const selected = url.searchParams.has('labelSelector') || url.searchParams.has('fieldSelector')
    const page = store.page(namespace, after, selectorFilter(url, type), limit)
    items = page.items
    more = page.more
    // As the real API server does: a remaining count only where no selector makes it a guess.
    if (more && !selected && !namespace) remaining = page.rest
  } else {
    items = filtered(store, namespace, url, type)
    if (after !== null) {
      const keys = items.map((o) => keyOf(o.metadata.namespace, o.metadata.name))
      items = items.slice(lowerBound(keys, `${after}\u0000`))
    }
    if (limit > 0 && items.length > limit) {
      remaining = items.length - limit
      items = items.slice(0, limit)
      more = true
    }
  }
  let continueToken: string | undefined
  if (more) {
    const last = items[items.length - 1]!
    continueToken = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(rv), start: keyOf(last.metadata.namespace, last.metadata.name) })).toString('base64')
  }
  if (wantsTable(req)) return sendTable(res, type, items, sim, url, continueToken ?? null)
  const head = JSON.stringify({
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: { resourceVersion: rv, ...(continueToken ? { continue: continueToken, ...(remaining !== undefined ? { remainingItemCount: remaining } : {}) } : {}) },
  })
  return streamArray(res, `${head.slice(0, -1)},"items":[`, items, serialize, ']}')
}

// Stored objects are immutable, so each one's JSON can be kept until it is replaced.
const jsonCache = new WeakMap<KubeObject, string>()
function serialize(obj: KubeObject): string {
  let text = jsonCache.get(obj)
  if (text === undefined) {
    text = JSON.stringify(obj)
    // Only nodes are cached: few, listed often; caching 100k pods would double their memory.
    if (obj.kind === 'Node') jsonCache.set(obj, text)
  }
  return text
}

function sendTable(res: ServerResponse, type: ResourceType, items: KubeObject[], sim: Simulation, url: URL, continueToken: string | null): Promise<void> {
  const include = (url.searchParams.get('includeObject') ?? 'Metadata') as 'None' | 'Metadata' | 'Object'
  const nowMs = sim.clock.nowMillis()
  const head = JSON.stringify(
    tableHead({ plural: type.plural, nowMs, resourceVersion: String(sim.revision.current()), includeObject: include, ...(continueToken ? { continueToken } : {}) }),
  )
  return streamArray(res, `${head.slice(0, -1)},"rows":[`, items, (o) => JSON.stringify(tableRow(type.plural, o, { nowMs, includeObject: include })), ']}')
}

/**
 * Writes a JSON array in chunks, waiting for the socket to drain, so a list of 100k objects
 * never becomes one huge string or a huge write buffer.
 */
async function streamArray(res: ServerResponse, open: string, items: KubeObject[], render: (o: KubeObject) => string, close: string): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json' })
  const CHUNK = 500
  res.write(open)
  for (let i = 0; i < items.length; i += CHUNK) {
    const parts: string[] = []
    for (let j = i; j < Math.min(i + CHUNK, items.length); j++) parts.push(render(items[j]!))
    if (!res.write((i > 0 ? ',' : '') + parts.join(','))) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done)
          res.off('close', done)
          resolve()
        }
        res.on('drain', done)
        res.on('close', done)
      })
      if (res.destroyed) return
    }
  }
  res.end(close)
}

function watch(req: IncomingMessage, res: ServerResponse, url: URL, store: ResourceStore, namespace: string | undefined, sim: Simulation): void {
  const type = store.type
  const match = selectorFilter(url, type)
  const inNamespace = (o: KubeObject) => !namespace || o.metadata.namespace === namespace
  const table = wantsTable(req)
  const timeout = url.searchParams.get('timeoutSeconds')
  serveWatch(res, store, {
    resourceVersion: url.searchParams.get('resourceVersion'),
    matches: (o) => inNamespace(o) && match(o),
    sendInitialEvents: url.searchParams.get('sendInitialEvents') === 'true',
    allowBookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
    timeoutSeconds: timeout === null ? null : Number(timeout),
    initial: () => filtered(store, namespace, url, type),
    currentRv: () => sim.revision.current(),
    onTick: (listener) => sim.onTick(listener),
    kind: table ? 'Table' : type.kind,
    apiVersion: table ? 'meta.k8s.io/v1' : apiVersionOf(type),
    render: table
      ? (o) => {
          const nowMs = sim.clock.nowMillis()
          const head = tableHead({ plural: type.plural, nowMs, resourceVersion: o.metadata.resourceVersion ?? '', includeObject: 'Metadata' })
          return { ...head, rows: [tableRow(type.plural, o, { nowMs, includeObject: 'Metadata' })] }
        }
      : (o) => o,
  })
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body)
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}
