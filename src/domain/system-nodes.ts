// Run:ai system nodes: the procedure wants more than one Ready; nodeplan refuses a plan that leaves none.
import { DRAIN_TAINT, type NodeState } from './cluster.js'
import { afterChange } from './change-target.js'
import { findTaint } from './change.js'
import type { Change } from './plan.js'
import { NodeplanError } from './errors.js'
import { isSystemNode, rolesOf } from './roles.js'

/**
 * How to make `candidate` a temporary system node, as the CLI command and as the GraphQL mutation
 * (messages reach people at a terminal and programs alike).
 */
export function relabelAsSystemNode(candidate: NodeState): string {
  const roles = [...rolesOf(candidate.labels), 'SYSTEM']
  const cli = roles.map((r) => r.toLowerCase().replace('_', '-')).join(',')
  return `nodeplan plan relabel ${candidate.name} --roles ${cli} --reason "temporary system node" (GraphQL: planRelabel(input: {node: "${candidate.name}", roles: [${roles.join(', ')}], reason: "temporary system node"}))`
}

/**
 * The one definition of a draining node, used by the planner, the inventory (Node.draining), metrics
 * and the console: it carries the drain taint's key with its effect (NoExecute), whatever the value,
 * as a taint is identified by key and effect.
 */
export const isDrained = (node: NodeState): boolean => findTaint(node.taints, DRAIN_TAINT) !== undefined

/** A system node that serves: labelled SYSTEM, Ready and not drained. */
export const isServingSystemNode = (node: NodeState): boolean => isSystemNode(node) && node.ready && !isDrained(node)

export function readySystemNodes(nodes: Iterable<NodeState>): number {
  let count = 0
  for (const node of nodes) if (isServingSystemNode(node)) count++
  return count
}

/** Every node a change touches, as it will be after the changes (absent once deleted). */
export function nodesAfter(nodes: ReadonlyMap<string, NodeState>, changes: readonly Change[]): Map<string, NodeState | undefined> {
  const after = new Map<string, NodeState | undefined>()
  for (const change of changes) {
    const current = after.has(change.node) ? after.get(change.node) : nodes.get(change.node)
    after.set(change.node, afterChange(current, change))
  }
  return after
}

/** Ready system nodes once the changes are applied. */
export function readySystemNodesAfter(nodes: ReadonlyMap<string, NodeState>, changes: readonly Change[]): number {
  return readySystemNodes(nodes.values()) + systemNodesGained(nodes, nodesAfter(nodes, changes))
}

/** Serving system nodes gained (negative: lost) between `nodes` and the changed nodes in `after`. */
export function systemNodesGained(nodes: ReadonlyMap<string, NodeState>, after: ReadonlyMap<string, NodeState | undefined>): number {
  let gained = 0
  for (const [name, next] of after) {
    const before = nodes.get(name)
    gained += (next && isServingSystemNode(next) ? 1 : 0) - (before && isServingSystemNode(before) ? 1 : 0)
  }
  return gained
}

/**
 * LAST_SYSTEM_NODE: a plan may not take the last Ready system nodes away. The message says how to
 * proceed: designate a temporary system node on a Ready worker the plan does not touch.
 */
export function refuseLeavingNoSystemNode(
  nodes: ReadonlyMap<string, NodeState>,
  changes: readonly Change[],
  before: number,
  after: number,
): void {
  if (after > 0 || after >= before) return
  const touched = new Set(changes.map((c) => c.node))
  const lost = [...touched].filter((name) => {
    const node = nodes.get(name)
    return node !== undefined && isServingSystemNode(node)
  })
  const candidate = [...nodes.values()]
    .filter((n) => !touched.has(n.name) && n.ready && !isDrained(n) && !n.unschedulable && !isSystemNode(n))
    .sort((a, b) => (a.name < b.name ? -1 : 1))[0]
  const how = candidate
    ? `Designate a temporary system node first, e.g. ${relabelAsSystemNode(candidate)}, apply that plan, then plan this again; rolling back the relabel later retires the temporary system node.`
    : 'No other Ready node can take the role now: bring a system node back (or a worker online) and designate it with nodeplan plan relabel (planRelabel) first.'
  throw new NodeplanError(
    'LAST_SYSTEM_NODE',
    `this plan would leave no Ready Run:ai system node (${lost.join(', ')} ${lost.length === 1 ? 'is the last one' : 'are the last ones'}). ${how}`,
    { nodes: lost, suggestedNode: candidate?.name ?? null },
  )
}
