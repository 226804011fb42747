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
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 10, maxCost: 20_000 }

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
 * Introspection (`__schema`, `__type`) is not limited.
 */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_LIMITS) {
  return (context: ValidationContext): ASTVisitor => {
    const queryType = context.getSchema().getQueryType()?.name
    const fragments = new Map<string, FragmentDefinitionNode>()
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def)
    }
    // Each fragment is measured once (depth relative to where it is spread): without this, fragments
    // that each spread the next one twice cost 2^n walks, and free leaves (__typename) never stop it.
    const measuredFragments = new Map<string, { depth: number; cost: number }>()
    // onQuery: the selection set is the query type's (the operation's, or a fragment on Query).
    const measure = (set: SelectionSetNode, depth: number, seen: Set<string>, onQuery: boolean): { depth: number; cost: number } => {
      let maxDepth = depth
      let cost = 0
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          if (sel.name.value.startsWith('__')) continue
          if (!sel.selectionSet) {
            cost += 1
            continue
          }
          const inner = measure(sel.selectionSet, depth + 1, seen, false)
          const first = sel.arguments?.find((a) => a.name.value === 'first')
          const whole = onQuery && WHOLE_COLLECTIONS.has(sel.name.value)
          const multiplier = first ? (first.value.kind === Kind.INT ? Math.max(1, Number(first.value.value)) : ASSUMED_PAGE) : whole ? ASSUMED_PAGE : 1
          cost += 1 + inner.cost * multiplier
          maxDepth = Math.max(maxDepth, inner.depth)
        } else {
          const inner =
            sel.kind === Kind.INLINE_FRAGMENT
              ? measure(sel.selectionSet, depth, seen, sel.typeCondition ? sel.typeCondition.name.value === queryType : onQuery)
              : measureFragment(sel.name.value, depth, seen)
          if (!inner) continue
          cost += inner.cost
          maxDepth = Math.max(maxDepth, inner.depth)
        }
        if (cost > limits.maxCost) break
      }
      return { depth: maxDepth, cost }
    }
    const measureFragment = (name: string, depth: number, seen: Set<string>): { depth: number; cost: number } | undefined => {
      const fragment = fragments.get(name)
      if (!fragment || seen.has(name)) return undefined
      let measured = measuredFragments.get(name)
      if (!measured) {
        measured = measure(fragment.selectionSet, 0, new Set([...seen, name]), fragment.typeCondition.name.value === queryType)
        measuredFragments.set(name, measured)
      }
      return { depth: depth + measured.depth, cost: measured.cost }
    }

    return {
      OperationDefinition(node) {
        const { depth, cost } = measure(node.selectionSet, 1, new Set(), node.operation === 'query')
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
        }
      },
    }
  }
}
