// Where a change leads: the node as it will be after the change.
import type { NodeState } from './cluster.js'
import type { Change } from './plan.js'

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
