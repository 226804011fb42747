// Where a change leads: the node as it will be after the change.
import type { NodeState, Taint } from './cluster.js'
import { subjectOf } from './change.js'
import type { Change, NodeValue } from './plan.js'

/** The node after the change; undefined once deleted. Pure: the input is not modified. */
export function afterChange(node: NodeState | undefined, change: Change): NodeState | undefined {
  if (change.action === 'NO_OP' || !node) return node
  switch (change.resource) {
    case 'NODE':
      return change.after === null ? undefined : { ...node, labels: { ...(change.after as NodeValue).labels } }
    case 'TAINT': {
      const id = (change.after ?? change.before) as Taint
      const others = node.taints.filter((t) => !(t.key === id.key && t.effect === id.effect))
      return { ...node, taints: change.after === null ? others : [...others, change.after as Taint] }
    }
    case 'LABEL': {
      const labels = { ...node.labels }
      const key = subjectOf(change)
      if (change.after === null) delete labels[key]
      else labels[key] = change.after as string
      return { ...node, labels }
    }
  }
}
