// Executes operations with graphql-jit instead of graphql-js: each parsed document is compiled
// once into a function specialised to its selection set. The `nodes` query with every workload
// resolves ~700,000 fields at 5,000 nodes; graphql-js spends most of a response walking them.
// Apollo Server 5 accepts another executor only through its gateway interface. A query for the
// nodes list first goes to the per-node answer cache (list-answer-cache.ts), which declines
// anything it does not cover.
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface'
import { GraphQLError, execute, getOperationAST, printSchema, type ExecutionResult, type GraphQLSchema } from 'graphql'
import { getVariableValues } from 'graphql/execution/values.js'
import { compileQuery, isCompiledQuery } from 'graphql-jit'
import { CACHED_LISTS, ELEMENT_FIELDS } from '../graphql/cached-fields.js'
import { ListAnswerCache } from './list-answer-cache.js'
import { perOperation } from './per-operation.js'

export interface CompiledExecutorOptions {
  /** Per cached list answered: elements from kept text, elements made afresh. */
  listElementsCounted?: (kept: number, made: number) => void
  /** A query still running after this long is answered with an error (mutations run to their end). */
  maxQueryMs?: number
}

export function compiledExecutorGateway(schema: GraphQLSchema, options: CompiledExecutorOptions = {}): GatewayInterface {
  const compile = perOperation((document, operationName) => compileQuery(schema, document, operationName))
  const listAnswers = new ListAnswerCache(schema, { lists: CACHED_LISTS, elementFields: ELEMENT_FIELDS, counted: options.listElementsCounted })

  const run: GatewayExecutor = async ({ document, request, context }) => {
    // The operation name the client sent: the context's own operationName is only set once resolved.
    const operationName = request.operationName ?? undefined
    const variableValues = request.variables ?? {}
    const operation = getOperationAST(document, operationName)
    // No operation to run (an unknown or missing operation name): graphql-js says why, in its words.
    if (!operation) return execute({ schema, document, operationName, variableValues, contextValue: context })
    // Variables are checked by graphql-js too, so that a bad variable gets exactly the message
    // (and Apollo's BAD_USER_INPUT code) it would get without compilation.
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variableValues)
    if (coerced.errors) return { errors: coerced.errors }
    const cached = await listAnswers.execute(document, operationName, context, variableValues)
    if (cached) return cached
    const query = compile(document, operationName)
    if (!isCompiledQuery(query)) return withGraphQLJsErrors(query)
    return withGraphQLJsErrors(await query.query(undefined, context, variableValues))
  }

  const maxQueryMs = options.maxQueryMs ?? Infinity
  const executor: GatewayExecutor = (requestContext) => {
    const result = run(requestContext)
    // `operation` is missing when the document names no operation to run (graphql-js then says why).
    if (maxQueryMs === Infinity || (requestContext.operation as typeof requestContext.operation | undefined)?.operation !== 'query') return result
    // What resolvers await (the database, the cluster) is not cancelled: the answer is.
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<ExecutionResult>((resolve) => {
      timer = setTimeout(() => resolve({ errors: [tooSlow(maxQueryMs)] }), maxQueryMs)
    })
    return Promise.race([result, timeout]).finally(() => clearTimeout(timer))
  }

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) })
      return () => {}
    },
    load: async () => ({ executor }),
    stop: async () => {},
  }
}

function tooSlow(ms: number): GraphQLError {
  return new GraphQLError(`the query ran longer than ${ms / 1000} s (--max-request-seconds); ask for less (fewer fields, aliases or smaller pages)`, {
    extensions: { code: 'BAD_USER_INPUT' },
  })
}

// graphql-jit's errors leave `extensions` undefined, where Apollo (and graphql-js) expect an object.
function withGraphQLJsErrors(result: ExecutionResult): ExecutionResult {
  return result.errors ? { ...result, errors: result.errors.map(asGraphQLJsError) } : result
}

function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const copy = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions ?? {} })
  if (error.locations) Object.defineProperty(copy, 'locations', { value: error.locations, enumerable: true })
  return copy
}
