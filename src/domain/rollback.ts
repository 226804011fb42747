// Rollback: a new ROLLBACK plan with the inverse of each applied taint and label change, only
// where the live value is still what the plan set; never undo somebody else's later change.
import type { ClusterSnapshot, NodeState, Taint } from './cluster.js'
import { findTaint, formatTaint, labelChange, sameTaint, taintChange, taintId } from './change.js'
import { NodeplanError } from './errors.js'
import { completeDraft, indexNodes } from './plan-draft.js'
import type { Change, LabelChange, Plan, PlanDraft, TaintChange } from './plan.js'
import { checkReason } from './validation.js'

export interface RollbackRequest {
  reason: string
  createdBy: string
}

const shownTaint = (taint: Taint | null | undefined): string => (taint ? formatTaint(taint) : 'absent')
const shownLabel = (value: string | null | undefined): string => (value === null || value === undefined ? 'absent' : JSON.stringify(value))

export function planRollback(snapshot: ClusterSnapshot, applied: Plan, request: RollbackRequest): PlanDraft {
  const done = applied.changes.filter((c) => c.applied && c.action !== 'NO_OP')
  if (!(applied.status === 'APPLIED' || (applied.status === 'FAILED' && done.length > 0))) {
    throw new NodeplanError(
      'PLAN_NOT_APPLICABLE',
      `plan ${applied.id} is ${applied.status}${applied.status === 'FAILED' ? ' with no change applied' : ''}: only an APPLIED plan, or a FAILED one with applied changes, can be rolled back`,
      { planId: applied.id, status: applied.status },
    )
  }
  checkReason(request.reason)
  const nodes = indexNodes(snapshot)
  const changes: Change[] = []
  const warnings: string[] = []
  for (const name of applied.nodes) {
    const own = done.filter((c) => c.node === name).reverse()
    const deleted = own.find((c) => c.resource === 'NODE' && c.action === 'DELETE')
    if (deleted) {
      warnings.push(
        `node ${name} was deleted by plan ${applied.id}; a deletion cannot be rolled back: run nodeplan join-command (createJoinCommand), join the machine with it, then nodeplan plan rejoin ${name} (planRejoin) restores its stored labels`,
      )
      continue
    }
    const node = nodes.get(name)
    for (const change of own) {
      if (change.resource === 'NODE') continue
      const inverse = change.resource === 'TAINT' ? invertTaint(change, node, applied.id) : invertLabel(change, node, applied.id)
      changes.push(inverse.change)
      if (inverse.warning) warnings.push(inverse.warning)
    }
  }
  return completeDraft('ROLLBACK', request, applied.nodes, changes, snapshot, nodes, warnings, applied.id)
}

/** The inverse of a change, or the change left alone (a NO_OP holding the live value) with a warning saying why. */
interface Inversion {
  change: Change
  warning: string | null
}

const gone = (change: Change): string => `node ${change.node} no longer exists: ${change.address} was left alone`

function invertTaint(change: TaintChange, node: NodeState | undefined, planId: string): Inversion {
  const set = change.after
  const live = (node && findTaint(node.taints, change.target)) ?? null
  const untouched = set === null ? live === null : live !== null && sameTaint(live, set)
  if (node && untouched) return { change: taintChange(node.name, live, change.before, 'ROLLBACK', change.target), warning: null }
  return {
    change: taintChange(change.node, live, live, 'CHANGED_SINCE', change.target),
    warning: node
      ? `node ${node.name}: taint ${taintId(change.target)} is now ${shownTaint(live)}, not ${shownTaint(set)} as plan ${planId} set it: somebody changed it since, so it was left alone`
      : gone(change),
  }
}

function invertLabel(change: LabelChange, node: NodeState | undefined, planId: string): Inversion {
  const { key } = change.target
  const set = change.after
  const live = node?.labels[key] ?? null
  if (node && live === set) return { change: labelChange(node.name, key, live, change.before, 'ROLLBACK'), warning: null }
  return {
    change: labelChange(change.node, key, live, live, 'CHANGED_SINCE'),
    warning: node
      ? `node ${node.name}: label ${key} is now ${shownLabel(live)}, not ${shownLabel(set)} as plan ${planId} set it: somebody changed it since, so it was left alone`
      : gone(change),
  }
}
