// Whether a plan may still be applied: what it was computed from (its NodeInputs) against the
// live nodes. Only what its changes depend on counts; heartbeats, pods and other labels do not.
import type { NodeState, Taint } from './cluster.js'
import { formatTaint, sameTaint, taintId } from './change.js'
import type { NodeInputs } from './plan.js'
import { ROLE_LABEL_PREFIX } from './roles.js'

export interface StaleInput {
  node: string
  /** `existence`, `taint <key>:<Effect>` or `label <key>` */
  field: string
  message: string
}

const shownTaint = (taint: Taint | undefined): string => (taint ? formatTaint(taint) : 'absent')
const shownLabel = (value: string | undefined): string => (value === undefined ? 'absent' : JSON.stringify(value))

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
