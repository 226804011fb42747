import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql'

export interface QueryLimits {
  maxDepth: number
  maxCost: number
  /** Field selections, each use of a fragment counted: compiling a query takes time in proportion (1,000 take ~0.5 s). */
  maxFields: number
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 10, maxCost: 20_000, maxFields: 500 }

/**
 * Tokens a document may hold, for graphql-js's parser, which stops there: parsing and validating
 * 10,000 aliases takes ~0.7 s before any rule could refuse them. The full introspection query
 * holds ~300; 17 aliases of the whole nodes list ~800.
 */
export const MAX_TOKENS = 4_000

/** A list field without a literal `first` is assumed to return this many items when costing its children. */
const ASSUMED_PAGE = 50
/**
 * Query fields that answer a whole collection, unpaged: their children are costed as if
 * ASSUMED_PAGE items came back, so that aliases of `nodes` (13 MB each at 5,000 nodes) add up.
 */
const WHOLE_COLLECTIONS = new Set(['nodes'])

/**
 * Refuses documents nested deeper than maxDepth or whose estimated cost exceeds maxCost before
 * anything runs. Each field costs 1; a field with `first: n` multiplies its children's cost by n,
 * one with `first` from a variable or a whole collection (`nodes`) by ASSUMED_PAGE;
 * aliases and fragments count every time they are used, so they cannot amplify a query for free.
 * Introspection (`__schema`, `__type`, `__typename`) is costed like any field, `__schema { types }`
 * as the list of every type of the schema; its nesting is bounded by graphql-js's
 * MaxIntrospectionDepthRule instead of maxDepth (a full introspection query nests 13 levels).
 */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_LIMITS) {
  return (context: ValidationContext): ASTVisitor => {
    const queryType = context.getSchema().getQueryType()?.name
    const typeCount = Object.keys(context.getSchema().getTypeMap()).length
    const fragments = new Map<string, FragmentDefinitionNode>()
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def)
    }
    // Each fragment is measured once (depth relative to where it is spread): without this, fragments
    // that each spread the next one twice cost 2^n walks, and free leaves (__typename) never stop it.
    const measuredFragments = new Map<string, { depth: number; cost: number; fields: number }>()
    // onQuery: the selection set is the query type's (the operation's, or a fragment on Query).
    const measure = (set: SelectionSetNode, depth: number, seen: Set<string>, onQuery: boolean, introspection = false): { depth: number; cost: number; fields: number } => {
      let maxDepth = depth
      let cost = 0
      let fields = 0
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          fields += 1
          if (!sel.selectionSet) {
            cost += 1
            continue
          }
          const intoSchema = introspection || sel.name.value === '__schema' || sel.name.value === '__type'
          const inner = measure(sel.selectionSet, intoSchema ? depth : depth + 1, seen, false, intoSchema)
          const first = sel.arguments?.find((a) => a.name.value === 'first')
          const whole = onQuery && WHOLE_COLLECTIONS.has(sel.name.value)
          const multiplier = introspection
            ? sel.name.value === 'types'
              ? typeCount
              : 1
            : first
              ? first.value.kind === Kind.INT
                ? Math.max(1, Number(first.value.value))
                : ASSUMED_PAGE
              : whole
                ? ASSUMED_PAGE
                : 1
          cost += 1 + inner.cost * multiplier
          fields += inner.fields
          maxDepth = Math.max(maxDepth, inner.depth)
        } else {
          const inner =
            sel.kind === Kind.INLINE_FRAGMENT
              ? measure(sel.selectionSet, depth, seen, sel.typeCondition ? sel.typeCondition.name.value === queryType : onQuery, introspection)
              : measureFragment(sel.name.value, depth, seen, introspection)
          if (!inner) continue
          cost += inner.cost
          fields += inner.fields
          maxDepth = Math.max(maxDepth, inner.depth)
        }
        if (cost > limits.maxCost || fields > limits.maxFields) break
      }
      return { depth: maxDepth, cost, fields }
    }
    const measureFragment = (name: string, depth: number, seen: Set<string>, introspection: boolean): { depth: number; cost: number; fields: number } | undefined => {
      const fragment = fragments.get(name)
      if (!fragment || seen.has(name)) return undefined
      // A fragment on an introspection type (__Type, __Field…) is measured as introspection wherever it is spread.
      const onIntrospection = introspection || fragment.typeCondition.name.value.startsWith('__')
      const key = `${name}:${onIntrospection}`
      let measured = measuredFragments.get(key)
      if (!measured) {
        measured = measure(fragment.selectionSet, 0, new Set([...seen, name]), fragment.typeCondition.name.value === queryType, onIntrospection)
        measuredFragments.set(key, measured)
      }
      return { depth: depth + measured.depth, cost: measured.cost, fields: measured.fields }
    }

    return {
      OperationDefinition(node) {
        const { depth, cost, fields } = measure(node.selectionSet, 1, new Set(), node.operation === 'query')
        const name = node.name ? `operation "${node.name.value}"` : 'the operation'
        if (depth > limits.maxDepth) {
          context.reportError(
            new GraphQLError(`${name} is nested ${depth} levels deep; the limit is ${limits.maxDepth}. Ask for less nesting.`, {
              nodes: [node],
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          )
        }
        if (cost > limits.maxCost) {
          context.reportError(
            new GraphQLError(`${name} costs more than ${limits.maxCost} (fields × page sizes); ask for fewer fields, aliases or smaller pages.`, {
              nodes: [node],
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          )
        } else if (fields > limits.maxFields) {
          context.reportError(
            new GraphQLError(`${name} selects more than ${limits.maxFields} fields (aliases and fragment uses included); ask for fewer.`, {
              nodes: [node],
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          )
        }
      },
    }
  }
}
