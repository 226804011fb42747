// What every planner shares once its changes are known: impact, warnings, the LAST_SYSTEM_NODE
// rule and the inputs staleness is checked against.
import type { ClusterSnapshot, NodeState } from './cluster.js'
import { assess } from './drain-impact.js'
import type { Change, PlanDraft, PlanKind } from './plan.js'
import { inputsOf } from './staleness.js'
import { refuseLeavingNoSystemNode } from './system-nodes.js'

export const indexNodes = (snapshot: ClusterSnapshot): Map<string, NodeState> => new Map(snapshot.nodes.map((n) => [n.name, n]))

/** Impact, warnings, the LAST_SYSTEM_NODE rule and inputs: the same for every kind of plan. */
export function completeDraft(
  kind: PlanKind,
  request: { reason: string; createdBy: string },
  planNodes: string[],
  changes: Change[],
  snapshot: ClusterSnapshot,
  nodes: ReadonlyMap<string, NodeState>,
  ownWarnings: string[] = [],
  rollbackOf: string | null = null,
): PlanDraft {
  const { impact, warnings, readySystemNodesBefore } = assess(snapshot, nodes, changes)
  refuseLeavingNoSystemNode(nodes, changes, readySystemNodesBefore, impact.readySystemNodesAfter)
  return {
    kind,
    reason: request.reason,
    createdBy: request.createdBy,
    nodes: planNodes,
    changes,
    impact,
    warnings: [...warnings, ...ownWarnings],
    inputs: inputsOf(planNodes, changes, nodes),
    rollbackOf,
  }
}

