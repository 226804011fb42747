// The speed seam: every query, over HTTP and over the websocket, runs here. One sent for a list
// declared kept-as-text (src/graphql/kept-as-text.ts) is answered from the elements' kept JSON
// text (list-answer-cache.ts); anything else runs on graphql-js's execute, as Apollo and
// graphql-ws run mutations and subscriptions. A query still running after maxQueryMs is answered
// with an error (mutations run to their end). HTTP reaches it through the Apollo plugin below,
// the websocket through graphql-ws's `execute` option.
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server'
import { execute, getOperationAST, getVariableValues, GraphQLError, type ExecutionArgs, type ExecutionResult, type GraphQLFormattedError } from 'graphql'
import type { RequestContext } from '../graphql/context.js'
import { queryLimitErrors } from '../graphql/limits.js'
import { ListAnswerCache } from './list-answer-cache.js'

export interface QueryRunnerOptions {
  /** Per kept list answered: elements from kept text, elements made afresh. */
  listElementsCounted?: (kept: number, made: number) => void
  /** A query still running after this long is answered with an error. */
  maxQueryMs?: number
}

export type RunOperation = (args: ExecutionArgs) => Promise<ExecutionResult>

export function queryRunner(options: QueryRunnerOptions = {}): RunOperation {
  const caches = new WeakMap<ExecutionArgs['schema'], ListAnswerCache>()
  const keptText = (schema: ExecutionArgs['schema']) => {
    let cache = caches.get(schema)
    if (!cache) caches.set(schema, (cache = new ListAnswerCache(schema, { counted: options.listElementsCounted })))
    return cache
  }
  const maxQueryMs = options.maxQueryMs ?? Infinity

  const run = async (args: ExecutionArgs, isQuery: boolean): Promise<ExecutionResult> => {
    const { schema, document, contextValue } = args
    const variables = args.variableValues ?? {}
    const operation = getOperationAST(document, args.operationName)
    // No operation to run: graphql-js says why, in its words.
    if (!operation) return execute(args)
    // Variables that do not coerce: graphql-js's messages, with the code Apollo gives them.
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables)
    if (coerced.errors) return { errors: coerced.errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'BAD_USER_INPUT' } })) }
    if (isQuery && typeof contextValue === 'object' && contextValue !== null) {
      const kept = await keptText(schema).execute(document, args.operationName ?? undefined, contextValue, variables)
      if (kept) return kept
    }
    return execute(args)
  }

  return (args) => {
    const isQuery = getOperationAST(args.document, args.operationName)?.operation === 'query'
    const result = run(args, isQuery)
    if (maxQueryMs === Infinity || !isQuery) return result
    // What resolvers await (the database, the cluster) is not cancelled: the answer is.
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<ExecutionResult>((resolve) => {
      timer = setTimeout(() => resolve({ errors: [tooSlow(maxQueryMs)] }), maxQueryMs)
    })
    return Promise.race([result, timeout]).finally(() => clearTimeout(timer))
  }
}

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError

/**
 * Apollo's side of the seam: refuses an operation past the query limits once it is resolved, and
 * answers queries with the runner (`responseForOperation`, a plugin's way to answer in Apollo's
 * stead). Mutations are left to Apollo's own execution, graphql-js's too, and its plugins' hooks.
 */
export function queryRunnerPlugin(run: RunOperation, formatError: FormatError): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return
          const [refused] = queryLimitErrors(schema, document, operation.name?.value, request.variables)
          if (refused) throw refused
        },
        async responseForOperation({ schema, document, operation, request, contextValue }) {
          if (operation.operation !== 'query') return null
          const result = await run({ schema, document, operationName: request.operationName, variableValues: request.variables, contextValue })
          // As Apollo answers: errors formatted, and 400 when there is no data at all.
          const errors = result.errors?.map((error) => formatError(error.toJSON(), error))
          return {
            http: { status: errors && result.data === undefined ? 400 : undefined, headers: new HeaderMap() },
            body: { kind: 'single', singleResult: { ...result, errors } },
          }
        },
      }
    },
  }
}

function tooSlow(ms: number): GraphQLError {
  return new GraphQLError(`the query ran longer than ${ms / 1000} s (--max-request-seconds); ask for less (fewer fields, aliases or smaller pages)`, {
    extensions: { code: 'BAD_USER_INPUT' },
  })
}
