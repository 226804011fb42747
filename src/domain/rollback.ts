// Rollback: a new ROLLBACK plan with the inverse of each applied taint and label change, only
// where the live value is still what the plan set; never undo somebody else's later change.
import type { ClusterSnapshot, NodeState, Taint } from './cluster.js'
import { findTaint, formatTaint, labelChange, sameTaint, subjectOf, taintChange, unchanged } from './change.js'
import { NodeplanError } from './errors.js'
import { completeDraft, indexNodes } from './plan-draft.js'
import type { Change, Plan, PlanDraft, PlannedChange } from './plan.js'
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
      const inverse = node ? invert(change, node, applied.id) : null
      if (inverse && 'change' in inverse) {
        changes.push(inverse.change)
        continue
      }
      changes.push(unchanged(change, inverse?.found ?? null, 'CHANGED_SINCE'))
      warnings.push(inverse ? inverse.warning : `node ${name} no longer exists: ${change.address} was left alone`)
    }
  }
  return completeDraft('ROLLBACK', request, applied.nodes, changes, snapshot, nodes, warnings, applied.id)
}

type Inversion = { change: Change } | { found: Change['before']; warning: string }

function invert(change: PlannedChange, node: NodeState, planId: string): Inversion {
  if (change.resource === 'TAINT') {
    const set = change.after as Taint | null
    const id = (change.after ?? change.before) as Taint
    const live = findTaint(node.taints, id) ?? null
    const untouched = set === null ? live === null : live !== null && sameTaint(live, set)
    if (untouched) return { change: taintChange(node.name, live, change.before as Taint | null, 'ROLLBACK', id) }
    return {
      found: live,
      warning: `node ${node.name}: taint ${subjectOf(change)} is now ${shownTaint(live)}, not ${shownTaint(set)} as plan ${planId} set it: somebody changed it since, so it was left alone`,
    }
  }
  const key = subjectOf(change)
  const set = change.after as string | null
  const live = node.labels[key] ?? null
  if (live === set) return { change: labelChange(node.name, key, live, change.before as string | null, 'ROLLBACK') }
  return {
    found: live,
    warning: `node ${node.name}: label ${key} is now ${shownLabel(live)}, not ${shownLabel(set)} as plan ${planId} set it: somebody changed it since, so it was left alone`,
  }
}
