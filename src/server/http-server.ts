import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled'
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server'
import type { GraphQLSchema } from 'graphql'
import { bearerToken, LOCAL_ADMIN, type Authenticator, type Principal } from '../auth.js'
import type { RequestContext } from '../graphql/context.js'
import { makeFormatError } from '../graphql/error-format.js'
import { MAX_TOKENS } from '../graphql/limits.js'
import type { Logger } from '../logger.js'
import { CONSOLE_PREFIX, consoleAsset } from '../console/assets.js'
import { GRAPHIQL_ASSET_PREFIX, graphiqlAsset, graphiqlPage } from './graphiql.js'
import { queryRunner, queryRunnerPlugin, type RunOperation } from './query-runner.js'
import { ResponseTooLarge, writeJson } from './json-stream.js'
import type { PostRoute } from './signal-intake.js'
import { attachSubscriptions, type SubscriptionServer } from './subscriptions.js'
import { DEFAULT_CONNECTION_LIMITS, limitConnections, type ConnectionEvents, type ConnectionLimits } from './connection-limits.js'
import { LOOPBACK_HOSTS, originPolicy, type OriginPolicyOptions } from './origin-policy.js'
import { DEFAULT_REQUEST_BOUNDS, type RequestBounds } from './request-bounds.js'
import { SECURITY_HEADERS } from './security-headers.js'

export const MAX_BODY_BYTES = 1024 * 1024
/** Far beyond any real request: the contract's deepest input is a few levels. */
export const MAX_JSON_DEPTH = 64

export interface ReadinessCheck {
  name: string
  check(): Promise<void>
  /** What /readyz says when the check fails (default: "<name> unreachable"); the error itself goes to the log only. */
  failure?: string
  /** Reported, but its failure leaves the replica ready (one cluster of several). */
  informational?: boolean
}

export interface HttpServerOptions {
  host: string
  port: number
  schema: GraphQLSchema
  auth: Authenticator | null
  log: Logger
  readiness: ReadinessCheck[]
  /** Serves GET /metrics (Prometheus text format, no token needed: counts only, no names). */
  metrics?: { scrape(): Promise<{ contentType: string; body: string }> }
  plugins?: ApolloServerPlugin<RequestContext>[]
  /** Runs queries (default: a queryRunner of its own, bounded by `bounds`); share one with the websocket. */
  runQuery?: RunOperation
  /** JSON POST endpoints beside /graphql, behind the same authentication (e.g. /signals). */
  routes?: PostRoute[]
  /** GraphQL over WebSocket on /graphql (subscriptions). */
  subscriptions?: SubscriptionServer
  /** Host and Origin accepted (default: loopback names, and the server's own origin). */
  origins?: OriginPolicyOptions
  /** Connection caps and the idle timer (default: DEFAULT_CONNECTION_LIMITS). */
  connections?: ConnectionLimits
  connectionEvents?: ConnectionEvents
  /** Per request: a query's execution time and the response's size (default: DEFAULT_REQUEST_BOUNDS). */
  bounds?: RequestBounds
}


export interface RunningHttpServer {
  url: string
  server: Server
  /** Stops accepting, lets requests in flight finish (up to graceMs), then closes. */
  close(graceMs?: number): Promise<void>
}

/**
 * The result Apollo hands to stringifyResult during one request, which the request's handler
 * writes out in chunks. Apollo Server 5 gives an integration a single result only as one string:
 * at 5,000 nodes that is a fresh 13 MB string per `nodes` answer, which measured its median 1.5-2
 * times slower and the service's peak RSS past 400 MB (docs/speed.md, bench/answer-writer.ts).
 */
interface ResultSlot {
  value: unknown
}
const resultSlot = new AsyncLocalStorage<ResultSlot>()

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { log, auth } = options
  const bounds = options.bounds ?? DEFAULT_REQUEST_BOUNDS
  const origins = originPolicy(options.origins ?? { allowedHosts: [...LOOPBACK_HOSTS], allowedOrigins: [] })
  const formatError = makeFormatError(log)
  const runQuery = options.runQuery ?? queryRunner({ maxQueryMs: bounds.maxRequestMs })
  const apollo = new ApolloServer<RequestContext>({
    schema: options.schema,
    introspection: true,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: MAX_TOKENS },
    formatError,
    stringifyResult: (value) => {
      const slot = resultSlot.getStore()
      if (!slot) return JSON.stringify(value)
      slot.value = value
      return ''
    },
    // No cache hints are served, and its per-field listener would cost every large query.
    plugins: [ApolloServerPluginCacheControlDisabled(), queryRunnerPlugin(runQuery, formatError), ...(options.plugins ?? [])],
  })
  await apollo.start()

  let inFlight = 0
  let draining = false
  let idle: (() => void) | null = null

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = headerValue(req, 'x-request-id')?.slice(0, 64) || randomUUID()
    res.setHeader('x-request-id', requestId)
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname
    const refused = origins.refusal(req)
    if (refused) {
      log.warn('request refused', { reason: refused, path: path.slice(0, 200), address: req.socket.remoteAddress })
      throw new HttpError(403, 'FORBIDDEN', refused)
    }
    const portal = origins.crossOrigin(req)
    if (portal) {
      res.setHeader('access-control-allow-origin', portal)
      res.setHeader('vary', 'Origin')
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST',
          'access-control-allow-headers': 'authorization, content-type, x-request-id, apollo-require-preflight',
          'access-control-max-age': '600',
        })
        return res.end()
      }
    }
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' })
    if (path === '/readyz') return readyz(res)
    if (path === '/metrics' && options.metrics) {
      const { contentType, body } = await options.metrics.scrape()
      res.writeHead(200, { 'content-type': contentType })
      return res.end(body)
    }
    if ((path === '/' || path.startsWith(CONSOLE_PREFIX)) && req.method === 'GET') {
      const asset = consoleAsset(path === '/' ? 'index.html' : path.slice(CONSOLE_PREFIX.length))
      if (!asset) return sendJson(res, 404, { error: 'not found' })
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache', ...SECURITY_HEADERS.console })
      return res.end(asset.body)
    }
    if (path.startsWith(GRAPHIQL_ASSET_PREFIX) && req.method === 'GET') {
      const asset = graphiqlAsset(path.slice(GRAPHIQL_ASSET_PREFIX.length))
      if (!asset) return sendJson(res, 404, { error: 'not found' })
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' })
      return res.end(asset.body)
    }
    const route = options.routes?.find((r) => r.path === path)
    if (route) {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST')
        throw new HttpError(405, 'BAD_USER_INPUT', `method ${req.method} is not allowed on ${path}; use POST`)
      }
      const principal = authenticate(req)
      const answer = await route.handle(principal, await readJsonBody(req))
      return sendJson(res, answer.status, answer.body)
    }
    if (path !== '/graphql') return sendJson(res, 404, { error: `no route ${path}; the API is at /graphql` })
    if (req.method === 'GET' && !url.search && (req.headers.accept ?? '').includes('text/html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS.graphiql })
      return res.end(graphiqlPage())
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST')
      throw new HttpError(405, 'BAD_USER_INPUT', `method ${req.method} is not allowed on /graphql; use POST`)
    }
    const principal = authenticate(req)
    const body = req.method === 'POST' ? await readJsonBody(req) : undefined
    const headers = new HeaderMap()
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value)
    }
    const slot: ResultSlot = { value: undefined }
    const method = req.method
    const result = await resultSlot.run(slot, () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search: url.search, body },
        context: async () => ({ principal, requestId, log: log.child({ requestId, subject: principal.subject }) }),
      }),
    )
    for (const [key, value] of result.headers) res.setHeader(key, value)
    res.statusCode = result.status ?? 200
    if (result.body.kind === 'complete') {
      if (slot.value === undefined) return res.end(result.body.string)
      try {
        return await writeJson(res, slot.value, bounds.maxResponseBytes)
      } catch (err) {
        if (!(err instanceof ResponseTooLarge)) throw err
        // Its start went out with status 200: cut the connection, so the client sees a failure, not a short answer.
        log.warn('response cut: larger than --max-response-mb', { requestId, maxResponseBytes: bounds.maxResponseBytes })
        return res.destroy()
      }
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk)
    res.end()
  }

  const authenticate = (req: IncomingMessage): Principal => {
    if (!auth) return LOCAL_ADMIN
    const token = bearerToken(headerValue(req, 'authorization'))
    if (!token) throw new HttpError(401, 'UNAUTHENTICATED', 'no bearer token: send "Authorization: Bearer <token>"')
    const principal = auth.authenticate(token)
    if (!principal) throw new HttpError(401, 'UNAUTHENTICATED', 'the bearer token is not known to this server')
    return principal
  }

  const readyz = async (res: ServerResponse) => {
    const checks: Record<string, string> = {}
    let ok = !draining
    for (const { name, check, failure, informational } of options.readiness) {
      try {
        await check()
        checks[name] = 'ok'
      } catch (err) {
        if (!informational) ok = false
        // Anyone may ask /readyz: the reason in words, the error's text (hosts, ports, driver messages) in the log.
        checks[name] = failure ?? `${name} unreachable`
        log.warn('readiness check failed', { check: name, error: err })
      }
    }
    if (draining) checks.server = 'shutting down'
    sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', checks })
  }

  const server = createServer((req, res) => {
    inFlight++
    connections.busy(req.socket, 1)
    res.once('close', () => connections.busy(req.socket, -1))
    handle(req, res)
      .catch((err: unknown) => {
        if (err instanceof HttpError) {
          // The rest of an oversized body is never read: close the connection rather than let the
          // client reuse it and see its next request reset.
          if (err.status === 413) res.setHeader('connection', 'close')
          return sendJson(res, err.status, { errors: [{ message: err.message, extensions: { code: err.code } }] })
        }
        log.error('request failed', { error: err })
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] })
        // Part of a body went out: cut the connection, so that the client sees a failure, not a short answer.
        else res.destroy()
      })
      .finally(() => {
        inFlight--
        if (inFlight === 0) idle?.()
      })
  })
  const connections = limitConnections(server, options.connections ?? DEFAULT_CONNECTION_LIMITS, log, options.connectionEvents)
  if (options.subscriptions) attachSubscriptions(server, options.subscriptions, origins, log)
  server.requestTimeout = 120_000
  server.headersTimeout = 30_000
  // An idle kept-alive connection is closed by the client, not by us: a server that closes first
  // (Node's default is after 5 s) races a client reusing the connection at that moment, which
  // then sees a reset. Load balancers and proxies keep idle upstream connections for 60 s.
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${host}:${address.port}`

  return {
    url,
    server,
    async close(graceMs = 10_000) {
      draining = true
      await options.subscriptions?.close()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((resolve) => (idle = resolve)), new Promise((resolve) => setTimeout(resolve, graceMs).unref())])
      }
      server.closeAllConnections()
      await closed
      await apollo.stop()
    },
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > MAX_BODY_BYTES) throw tooLarge()
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw tooLarge()
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  const type = req.headers['content-type'] ?? ''
  if (!type.includes('application/json')) return text
  if (text.length === 0) throw new HttpError(400, 'BAD_USER_INPUT', 'empty request body: send {"query": "..."}')
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new HttpError(400, 'BAD_USER_INPUT', `the request body nests JSON deeper than ${MAX_JSON_DEPTH} levels`)
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpError(400, 'BAD_USER_INPUT', 'the request body is not valid JSON')
  }
}

/**
 * Whether JSON text nests arrays and objects deeper than `max`, found in one pass without
 * parsing: variable coercion and validation recurse per level, and a body of 200,000 `[`
 * would exhaust the stack there, after JSON.parse had accepted it.
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

function tooLarge() {
  return new HttpError(413, 'BAD_USER_INPUT', `request body over ${MAX_BODY_BYTES} bytes`)
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body))
}
