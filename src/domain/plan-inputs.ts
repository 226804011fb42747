// What a plan is computed from, per node (see staleness.ts): existence, and the live taints and
// labels its changes name, plus the live role labels (the system-node count depends on them).
import type { NodeState, Taint } from './cluster.js'
import { findTaint, taintId } from './change.js'
import type { Change, NodeInputs, TaintTarget } from './plan.js'
import { ROLE_LABEL_PREFIX } from './roles.js'

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
