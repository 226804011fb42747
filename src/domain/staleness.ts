// Stale plans are refused: a plan records what it was computed from, per node (its NodeInputs:
// existence, and the live taints and labels its changes name, plus the live role labels, on which
// the system-node count depends); before an apply these are compared with the live nodes, and any
// difference refuses the apply with PLAN_STALE. Heartbeats, pods and other labels do not count.
import type { NodeState, Taint } from './cluster.js'
import { findTaint, formatTaint, sameTaint, taintId } from './change.js'
import { NodeplanError } from './errors.js'
import type { Change, NodeInputs, TaintTarget } from './plan.js'
import { ROLE_LABEL_PREFIX } from './roles.js'

export interface StaleInput {
  node: string
  /** `existence`, `taint <key>:<Effect>` or `label <key>` */
  field: string
  message: string
}

const shownTaint = (taint: Taint | undefined): string => (taint ? formatTaint(taint) : 'absent')
const shownLabel = (value: string | undefined): string => (value === undefined ? 'absent' : JSON.stringify(value))

/** What a plan is computed from, per node of the plan: recorded with it (plan-draft.ts). */
export function inputsOf(planNodes: readonly string[], changes: readonly Change[], live: ReadonlyMap<string, NodeState>): NodeInputs[] {
  return planNodes.map((name) => {
    const node = live.get(name)
    const taintTargets = new Map<string, TaintTarget>()
    const labelKeys = new Set<string>()
    for (const change of changes) {
      if (change.node !== name) continue
      if (change.resource === 'TAINT') taintTargets.set(taintId(change.target), change.target)
      if (change.resource === 'LABEL') labelKeys.add(change.target.key)
    }
    const labels: Record<string, string> = {}
    const taints: Taint[] = []
    if (node) {
      for (const [key, value] of Object.entries(node.labels)) if (key.startsWith(ROLE_LABEL_PREFIX) || labelKeys.has(key)) labels[key] = value
      for (const target of taintTargets.values()) {
        const taint = findTaint(node.taints, target)
        if (taint) taints.push({ ...taint })
      }
    }
    return { node: name, exists: node !== undefined, uid: node?.uid ?? null, taintIds: [...taintTargets.keys()], taints, labelKeys: [...labelKeys], labels }
  })
}

/** What changed since the plan was computed; empty when it may be applied. */
export function staleness(inputs: readonly NodeInputs[], live: (name: string) => NodeState | undefined): StaleInput[] {
  const found: StaleInput[] = []
  for (const input of inputs) {
    const node = live(input.node)
    if (!input.exists || !node) {
      if (input.exists !== (node !== undefined)) {
        found.push({
          node: input.node,
          field: 'existence',
          message: input.exists
            ? `node ${input.node} was deleted since the plan was made`
            : `node ${input.node} was registered since the plan was made`,
        })
      }
      continue
    }
    if (input.uid !== null && node.uid !== input.uid) {
      found.push({ node: input.node, field: 'existence', message: `node ${input.node} was deleted and registered again since the plan was made` })
      continue
    }
    for (const id of input.taintIds) {
      const then = input.taints.find((t) => taintId(t) === id)
      const now = node.taints.find((t) => taintId(t) === id)
      const same = then && now ? sameTaint(then, now) : then === now
      if (!same) {
        found.push({
          node: input.node,
          field: `taint ${id}`,
          message: `node ${input.node}: taint ${id} was ${shownTaint(then)} when the plan was made, now ${shownTaint(now)}`,
        })
      }
    }
    const keys = new Set(input.labelKeys)
    for (const key of Object.keys(input.labels)) if (key.startsWith(ROLE_LABEL_PREFIX)) keys.add(key)
    for (const key of Object.keys(node.labels)) if (key.startsWith(ROLE_LABEL_PREFIX)) keys.add(key)
    for (const key of [...keys].sort()) {
      const then = input.labels[key]
      const now = node.labels[key]
      if (then !== now) {
        found.push({
          node: input.node,
          field: `label ${key}`,
          message: `node ${input.node}: label ${key} was ${shownLabel(then)} when the plan was made, now ${shownLabel(now)}`,
        })
      }
    }
  }
  return found
}

/** The refusal of a stale plan: every difference, the first one's node and field as details. */
export function staleError(planId: string, stale: readonly StaleInput[]): NodeplanError {
  const first = stale[0]!
  return new NodeplanError(
    'PLAN_STALE',
    `plan ${planId} is stale: ${stale.map((s) => s.message).join('; ')}. Discard it and plan again from the live state.`,
    { planId, node: first.node, field: first.field, changes: stale },
  )
}
