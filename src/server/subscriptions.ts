// GraphQL over WebSocket (the graphql-ws protocol) on the HTTP server's port and path /graphql.
// Clients authenticate in connection_init: { "Authorization": "Bearer <token>" }.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { execute, getOperationAST, GraphQLError, parse, specifiedRules, validate, type ExecutionArgs, type GraphQLSchema } from 'graphql'
import { useServer } from 'graphql-ws/use/ws'
import { WebSocketServer } from 'ws'
import type { PlanProgress } from '../app/plan-progress.js'
import { bearerToken, LOCAL_ADMIN, type Authenticator, type Principal } from '../auth.js'
import { makeFormatError } from '../graphql/error-format.js'
import { MAX_TOKENS, queryLimitErrors } from '../graphql/limits.js'
import type { SubscriptionContext } from '../graphql/progress/progress.resolver.js'
import type { Logger } from '../logger.js'
import type { OriginPolicy } from './origin-policy.js'
import { queryRunner, type RunOperation } from './query-runner.js'
import type { RequestBounds } from './request-bounds.js'

export interface SubscriptionServerOptions {
  schema: GraphQLSchema
  auth: Authenticator | null
  log: Logger
  planProgress: PlanProgress
  /** Run mutations sent over the websocket (default: refuse them; HTTP POST is the way to change things). */
  mutations?: boolean
  /** Told of each mutation run over the websocket, as the HTTP server's plugin is. */
  mutationTimed?: (args: ExecutionArgs, run: () => Promise<unknown>) => Promise<unknown>
  /** As over HTTP: a query's time, and one message's size. */
  bounds?: RequestBounds
  /** Runs queries (default: a queryRunner of its own, bounded by `bounds`); share the HTTP server's. */
  runQuery?: RunOperation
}

export interface SubscriptionServer {
  /** Takes an HTTP upgrade request for /graphql; false when it is not one of ours. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean
  /** Closes the websockets whose token no longer names the same principal (after the tokens file changed). */
  revalidate(): void
  close(): Promise<void>
}

/** graphql-ws's close code for a connection it will not serve. */
const FORBIDDEN_CLOSE = 4403

export function startSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const { schema, auth, log } = options
  const formatError = makeFormatError(log)
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
  const principals = new WeakMap<object, Principal>()
  /** Open connections authenticated with a token, to close when it is revoked. */
  const byToken = new Map<object, { token: string; principal: Principal; close(): void }>()
  const runQuery = options.runQuery ?? queryRunner({ maxQueryMs: options.bounds?.maxRequestMs })

  const server = useServer<Record<string, unknown> | undefined>(
    {
      schema,
      onConnect(ctx) {
        if (!auth) {
          principals.set(ctx, LOCAL_ADMIN)
          return true
        }
        const header = ctx.connectionParams?.Authorization ?? ctx.connectionParams?.authorization
        const token = bearerToken(typeof header === 'string' ? header : undefined)
        const principal = token ? auth.authenticate(token) : null
        if (!principal) return false // closes with 4403 Forbidden
        principals.set(ctx, principal)
        const socket = (ctx.extra as { socket: { close(code: number, reason: string): void } }).socket
        byToken.set(ctx, { token: token!, principal, close: () => socket.close(FORBIDDEN_CLOSE, 'Forbidden: the token was revoked') })
        return true
      },
      onClose(ctx) {
        byToken.delete(ctx)
      },
      onSubscribe(ctx, _id, payload) {
        let document
        try {
          document = parse(payload.query, { maxTokens: MAX_TOKENS })
        } catch (err) {
          return [err as GraphQLError].map((e) => new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT' } }))
        }
        const errors = validate(schema, document, specifiedRules)
        if (errors.length > 0) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'BAD_USER_INPUT' } }))
        const refused = queryLimitErrors(schema, document, payload.operationName ?? undefined, payload.variables ?? undefined)
        if (refused.length > 0) return refused
        // A page of any origin could open a websocket before the Origin check existed; changes go
        // over HTTP POST, where CSRF prevention and the Origin check both apply, unless configured.
        if (!options.mutations && getOperationAST(document, payload.operationName)?.operation === 'mutation') {
          return [
            new GraphQLError('mutations are not run over the websocket on this server: send them as HTTP POST to /graphql (or start it with --websocket-mutations true)', {
              extensions: { code: 'FORBIDDEN' },
            }),
          ]
        }
        const principal = principals.get(ctx)!
        const requestId = randomUUID()
        const contextValue: SubscriptionContext = {
          principal,
          requestId,
          log: log.child({ requestId, subject: principal.subject }),
          planProgress: options.planProgress,
        }
        return { schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue }
      },
      // Subscriptions run on graphql-js's subscribe, each event through its execute; queries and mutations here.
      execute: (args: ExecutionArgs) => {
        const operation = getOperationAST(args.document, args.operationName)?.operation
        if (operation === 'mutation' && options.mutationTimed) return options.mutationTimed(args, async () => execute(args)) as ReturnType<typeof execute>
        return operation === 'query' ? runQuery(args) : execute(args)
      },
      onNext(_ctx, _id, _payload, _args, result) {
        const maxBytes = options.bounds?.maxResponseBytes
        // A string is never longer than its UTF-8 bytes: this never refuses an answer that fits.
        if (maxBytes !== undefined && !result.errors && JSON.stringify(result).length > maxBytes) {
          return { errors: [{ message: `the answer is larger than ${maxBytes} bytes (--max-response-mb); ask for less`, extensions: { code: 'BAD_USER_INPUT' } }] }
        }
        if (!result.errors) return
        return { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) }
      },
    },
    wss,
  )

  return {
    handleUpgrade(req, socket, head) {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname
      if (path !== '/graphql') return false
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
      return true
    },
    revalidate() {
      if (!auth) return
      for (const [ctx, open] of byToken) {
        const now = auth.authenticate(open.token)
        if (now && now.subject === open.principal.subject && now.role === open.principal.role) continue
        log.info('closing a websocket: its token was revoked or changed', { subject: open.principal.subject })
        byToken.delete(ctx)
        open.close()
      }
    },
    async close() {
      await server.dispose()
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}

/** Routes the HTTP server's upgrade requests to the subscription server; others are refused. */
export function attachSubscriptions(http: Server, subscriptions: SubscriptionServer, origins: OriginPolicy, log: Logger): void {
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The HTTP server's idle timer is for connections waiting for a request; graphql-ws pings its own.
    ;(socket as Duplex & { setTimeout?(ms: number): void }).setTimeout?.(0)
    const refused = origins.refusal(req)
    if (refused) {
      log.warn('websocket refused', { reason: refused, address: req.socket.remoteAddress })
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${refused}\n`)
      return
    }
    if (!subscriptions.handleUpgrade(req, socket, head)) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n')
    }
  })
}
