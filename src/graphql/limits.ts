// What one query may ask for, checked before anything runs, over HTTP and the websocket. The
// parser stops at MAX_TOKENS; graphql-query-complexity then walks the operation twice, with its
// variables: once for its cost (each field 1 plus its children, a list field's children times the
// items it is declared to return, with type-graphql's `complexity` option on the field), once for
// the number of fields. Aliases and fragments count every time they are used, so they cannot
// amplify a query for free. Nesting is bounded by these two (each level is a field) and, for
// introspection, by graphql-js's MaxIntrospectionDepthRule.
import { getOperationAST, getVariableValues, GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql'
import { fieldExtensionsEstimator, getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity'

export interface QueryLimits {
  maxCost: number
  /** Field selections, each use of a fragment counted: compiling a query takes time in proportion (1,000 take ~0.5 s). */
  maxFields: number
}

export const DEFAULT_LIMITS: QueryLimits = { maxCost: 20_000, maxFields: 500 }

/**
 * Tokens a document may hold, for graphql-js's parser, which stops there: parsing and validating
 * 10,000 aliases takes ~0.7 s before any rule could refuse them. The full introspection query
 * holds ~300; 17 aliases of the whole nodes list ~800.
 */
export const MAX_TOKENS = 4_000

/** A list costed without a page size (no `first`, or `first` null) is assumed to return this many items. */
const ASSUMED_PAGE = 50

/**
 * Selections (fields and fragment uses) the walk visits before it gives up: fragments that each
 * spread the next one twice would otherwise take 2^n steps. Far above maxFields, so a query it
 * stops has more fields than that.
 */
const MAX_WALK = 10_000

/** `complexity` of a paged list field: its children times `first` (ASSUMED_PAGE when not given). */
export const pageCost: ComplexityEstimator = ({ args, childComplexity }) => {
  const first: unknown = args.first
  return 1 + (typeof first === 'number' ? Math.max(1, first) : ASSUMED_PAGE) * childComplexity
}

/**
 * `complexity` of a field that answers a whole collection, unpaged (`nodes`): costed as if
 * ASSUMED_PAGE items came back, so that aliases of it (13 MB each at 5,000 nodes) add up.
 */
export const wholeCollectionCost: ComplexityEstimator = ({ childComplexity }) => 1 + ASSUMED_PAGE * childComplexity

/** Introspection types carry no `complexity`: `__schema { types }` is costed as the list of every type of the schema. */
function introspectionCost(schema: GraphQLSchema): ComplexityEstimator {
  const typeCount = Object.keys(schema.getTypeMap()).length
  return ({ type, field, childComplexity }) => (type.name === '__Schema' && field.name === 'types' ? 1 + typeCount * childComplexity : undefined)
}

const oneEach: ComplexityEstimator = ({ childComplexity }) => 1 + childComplexity

/**
 * The errors (code BAD_USER_INPUT) of an operation past the limits; none when it is within them,
 * or when there is nothing to run (execution then says why).
 */
export function queryLimitErrors(
  schema: GraphQLSchema,
  query: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
  limits: QueryLimits = DEFAULT_LIMITS,
): GraphQLError[] {
  const operation = getOperationAST(query, operationName)
  // No operation to run, or variables that do not coerce: nothing runs, and execution says why.
  if (!operation || getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}).errors) return []
  const name = operationName ? `operation "${operationName}"` : 'the operation'
  const measure = (estimators: ComplexityEstimator[]) => getComplexity({ schema, query, operationName, variables, estimators, maxQueryNodes: MAX_WALK })
  const tooMany = refusal(`${name} selects more than ${limits.maxFields} fields (aliases and fragment uses included); ask for fewer.`)
  let cost: number
  let fields: number
  try {
    cost = measure([introspectionCost(schema), fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })])
    fields = measure([oneEach])
  } catch (err) {
    if (err instanceof GraphQLError && err.message === WALK_STOPPED) return [tooMany]
    if (err instanceof GraphQLError) return [refusal(err.message)]
    throw err
  }
  if (cost > limits.maxCost) return [refusal(`${name} costs more than ${limits.maxCost} (fields × page sizes); ask for fewer fields, aliases or smaller pages.`)]
  if (fields > limits.maxFields) return [tooMany]
  return []
}

/** graphql-query-complexity's message when maxQueryNodes is reached. */
const WALK_STOPPED = 'Query exceeds the maximum allowed number of nodes.'

function refusal(message: string): GraphQLError {
  // `http` is Apollo's: the status of the answer when this is thrown from a plugin.
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } })
}
