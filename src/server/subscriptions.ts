// GraphQL over WebSocket (the graphql-ws protocol) on the HTTP server's port and path /graphql.
// Clients authenticate in connection_init: { "Authorization": "Bearer <token>" }.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { GraphQLError, parse, specifiedRules, validate, type GraphQLSchema } from 'graphql'
import { useServer } from 'graphql-ws/use/ws'
import { WebSocketServer } from 'ws'
import type { PlanProgress } from '../app/plan-progress.js'
import { bearerToken, LOCAL_ADMIN, type Principal, type TokenAuthenticator } from '../auth.js'
import { makeFormatError } from '../graphql/error-format.js'
import { queryLimitsRule } from '../graphql/limits.js'
import type { SubscriptionContext } from '../graphql/progress/progress.resolver.js'
import type { Logger } from '../logger.js'

export interface SubscriptionServerOptions {
  schema: GraphQLSchema
  auth: TokenAuthenticator | null
  log: Logger
  planProgress: PlanProgress
}

export interface SubscriptionServer {
  /** Takes an HTTP upgrade request for /graphql; false when it is not one of ours. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean
  close(): Promise<void>
}

export function startSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const { schema, auth, log } = options
  const formatError = makeFormatError(log)
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
  const principals = new WeakMap<object, Principal>()
  const rules = [...specifiedRules, queryLimitsRule()]

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
        return true
      },
      onSubscribe(ctx, _id, payload) {
        let document
        try {
          document = parse(payload.query)
        } catch (err) {
          return [err as GraphQLError].map((e) => new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT' } }))
        }
        const errors = validate(schema, document, rules)
        if (errors.length > 0) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'BAD_USER_INPUT' } }))
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
      onNext(_ctx, _id, _payload, _args, result) {
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
    async close() {
      await server.dispose()
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}

/** Routes the HTTP server's upgrade requests to the subscription server; others are refused. */
export function attachSubscriptions(http: Server, subscriptions: SubscriptionServer): void {
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!subscriptions.handleUpgrade(req, socket, head)) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n')
    }
  })
}
