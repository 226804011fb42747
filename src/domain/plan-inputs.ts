// What a plan is computed from, per node (see staleness.ts): existence, and the live taints and
// labels its changes name, plus the live role labels (the system-node count depends on them).
import type { NodeState } from './cluster.js'
import { findTaint, subjectOf } from './change.js'
import type { Change, NodeInputs } from './plan.js'
import { ROLE_LABEL_PREFIX } from './roles.js'

export function inputsOf(planNodes: readonly string[], changes: readonly Change[], live: ReadonlyMap<string, NodeState>): NodeInputs[] {
  return planNodes.map((name) => {
    const node = live.get(name)
    const taintIds = new Set<string>()
    const labelKeys = new Set<string>()
    for (const change of changes) {
      if (change.node !== name) continue
      if (change.resource === 'TAINT') taintIds.add(subjectOf(change))
      if (change.resource === 'LABEL') labelKeys.add(subjectOf(change))
    }
    const labels: Record<string, string> = {}
    const taints = []
    if (node) {
      for (const [key, value] of Object.entries(node.labels)) if (key.startsWith(ROLE_LABEL_PREFIX) || labelKeys.has(key)) labels[key] = value
      for (const id of taintIds) {
        const colon = id.lastIndexOf(':')
        const taint = findTaint(node.taints, { key: id.slice(0, colon), effect: id.slice(colon + 1) as 'NoExecute' })
        if (taint) taints.push({ ...taint })
      }
    }
    return { node: name, exists: node !== undefined, uid: node?.uid ?? null, taintIds: [...taintIds], taints, labelKeys: [...labelKeys], labels }
  })
}
