// The Kubernetes API over HTTP: authentication, fault injection, discovery, routing to the REST
// verbs on every resource type (resource-verbs.ts) and to /_sim, answering with real Status objects.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import {
  aggregatedDiscovery,
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  apiVersions,
  findResource,
  RESOURCES,
  type ResourceType,
} from './resources.js'
import { serveResource } from './resource-verbs.js'
import { sendJson } from './responses.js'
import { handleSimRoute, type FleetMember } from './sim-routes.js'
import type { Simulation } from './simulation.js'
import {
  ApiError,
  conflict,
  internalError,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
  unknownRoute,
} from './status.js'

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

export interface Route {
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
    ctx.sim.faultUsed()
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
  await serveResource(ctx.sim, req, res, url, route, verb)
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
