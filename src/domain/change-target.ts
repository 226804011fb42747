// Where a change leads: whether a live node is already there (apply skips such a change, and so
// resumes after a crash without applying twice), and the node as it will be after the change.
import type { NodeState } from './cluster.js'
import { findTaint, sameTaint } from './change.js'
import type { Change } from './plan.js'

/** True when the live node already is in the change's `after` state (a NO_OP always is). */
export function atTarget(change: Change, node: NodeState | undefined): boolean {
  if (change.action === 'NO_OP') return true
  switch (change.resource) {
    case 'NODE':
      return change.after === null ? node === undefined : node !== undefined
    case 'TAINT': {
      if (!node) return false
      const live = findTaint(node.taints, change.target)
      return change.after === null ? live === undefined : live !== undefined && sameTaint(live, change.after)
    }
    case 'LABEL': {
      if (!node) return false
      const live = node.labels[change.target.key]
      return change.after === null ? live === undefined : live === change.after
    }
  }
}

/** The node after the change; undefined once deleted. Pure: the input is not modified. */
export function afterChange(node: NodeState | undefined, change: Change): NodeState | undefined {
  if (change.action === 'NO_OP' || !node) return node
  switch (change.resource) {
    case 'NODE':
      return change.after === null ? undefined : { ...node, labels: { ...change.after.labels } }
    case 'TAINT': {
      const { key, effect } = change.target
      const others = node.taints.filter((t) => !(t.key === key && t.effect === effect))
      return { ...node, taints: change.after === null ? others : [...others, change.after] }
    }
    case 'LABEL': {
      const labels = { ...node.labels }
      const { key } = change.target
      if (change.after === null) delete labels[key]
      else labels[key] = change.after
      return { ...node, labels }
    }
  }
}
