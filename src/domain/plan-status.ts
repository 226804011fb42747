// Plan statuses and the moves between them: the one table that every writer of a plan's status
// follows (the services choose the move, the repository's guarded update refuses any other).
import { NodeplanError } from './errors.js'
import type { Plan, PlanStatus } from './plan.js'

/**
 * From each status, the statuses a plan may move to; a status with none is final.
 * PENDING → APPLYING is allowed: policy decides which kinds must be APPROVED first (apply checks it).
 * → DISCARDED is a person discarding the plan, or it expiring (plan-expiry.ts).
 * A new plan is PENDING, or NO_CHANGES when it changes nothing (final at once).
 */
export const PLAN_TRANSITIONS: { readonly [S in PlanStatus]: readonly PlanStatus[] } = {
  PENDING: ['APPROVED', 'APPLYING', 'DISCARDED'],
  APPROVED: ['APPLYING', 'DISCARDED'],
  APPLYING: ['APPLIED', 'FAILED'],
  APPLIED: [],
  FAILED: [],
  DISCARDED: [],
  NO_CHANGES: [],
}

const STATUSES = Object.keys(PLAN_TRANSITIONS) as PlanStatus[]

export const canMove = (from: PlanStatus, to: PlanStatus): boolean => PLAN_TRANSITIONS[from].includes(to)

/** The statuses a plan may move to `to` from, in the table's order. */
export const statusesMovingTo = (to: PlanStatus): PlanStatus[] => STATUSES.filter((from) => canMove(from, to))

/** A plan in a final status never moves again. */
export const isFinal = (status: PlanStatus): boolean => PLAN_TRANSITIONS[status].length === 0

/** The statuses a plan may still move on from. */
export const OPEN_STATUSES: readonly PlanStatus[] = STATUSES.filter((status) => !isFinal(status))

/** PLAN_NOT_APPLICABLE for a plan that cannot move to `to`; `verb` says what was asked ("approved"). */
export function notApplicable(plan: Pick<Plan, 'id' | 'status'>, to: PlanStatus, verb: string): NodeplanError {
  return new NodeplanError(
    'PLAN_NOT_APPLICABLE',
    `plan ${plan.id} is ${plan.status} and cannot be ${verb}: only a plan that is ${statusesMovingTo(to).join(' or ')} can`,
    { planId: plan.id, status: plan.status },
  )
}

/** Refuses (PLAN_NOT_APPLICABLE) unless the table lets the plan move from its status to `to`. */
export function requireMove(plan: Pick<Plan, 'id' | 'status'>, to: PlanStatus, verb: string): void {
  if (!canMove(plan.status, to)) throw notApplicable(plan, to, verb)
}

/** For a guarded update: fails (a bug, not a caller's error) when `from` holds a status the table does not move to `to`. */
export function checkMove(from: readonly PlanStatus[], to: PlanStatus): void {
  const wrong = from.filter((status) => !canMove(status, to))
  if (wrong.length > 0) throw new Error(`a plan does not move from ${wrong.join(', ')} to ${to} (plan-status.ts)`)
}
