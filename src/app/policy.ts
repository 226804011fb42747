import type { PlanKind } from '../domain/plan.js'
import type { Role } from '../auth.js'
import { DEFAULT_SIGNAL_POLICY, type SignalPolicy } from '../domain/health-signal.js'
import { parseSignalPolicy } from './signal-policy.js'
import type { Freeze } from '../domain/maintenance-window.js'

/** What an organisation decides: which plans need a second person, and what nodeplan may do alone. */
export interface Policy {
  requireApproval: PlanKind[]
  /** The least role that may approve a plan; the author never may. */
  approverRole: Role
  /** A node NotReady longer than this gets a proposed DRAIN plan. */
  unplannedDrainAfterSeconds: number
  /** Apply such proposals without a person. */
  autoApplyUnplannedDrain: boolean
  /** A PENDING or APPROVED plan older than this is expired (DISCARDED, audit plan.expired); 0: never. */
  planMaxAgeHours: number
  /** Health signals: which become proposed drains, and the storm guard. */
  signals: SignalPolicy
  /** Periods in which no plan is applied (applyPlan refuses; rollouts wait). */
  freezes: Freeze[]
}

export const DEFAULT_POLICY: Policy = {
  requireApproval: ['DECOMMISSION'],
  approverRole: 'approver',
  unplannedDrainAfterSeconds: 300,
  autoApplyUnplannedDrain: false,
  planMaxAgeHours: 7 * 24,
  signals: DEFAULT_SIGNAL_POLICY,
  freezes: [],
}

const PLAN_KINDS: readonly PlanKind[] = ['DRAIN', 'UNDRAIN', 'DECOMMISSION', 'REJOIN', 'RELABEL', 'ROLLBACK']
const APPROVER_ROLES: readonly Role[] = ['operator', 'approver', 'admin']

/** Validates a policy document; unknown keys are refused so that a typo cannot silently disable a rule. */
export function parsePolicy(raw: unknown, origin = 'policy'): Policy {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${origin}: expected a JSON object`)
  const doc = raw as Record<string, unknown>
  const known = Object.keys(DEFAULT_POLICY)
  for (const key of Object.keys(doc)) {
    if (!known.includes(key)) throw new Error(`${origin}: unknown key "${key}" (known: ${known.join(', ')})`)
  }
  const policy = { ...DEFAULT_POLICY }
  if ('requireApproval' in doc) {
    const kinds = doc.requireApproval
    if (!Array.isArray(kinds) || kinds.some((k) => !PLAN_KINDS.includes(k as PlanKind))) {
      throw new Error(`${origin}: "requireApproval" must be a list of ${PLAN_KINDS.join(', ')}`)
    }
    policy.requireApproval = [...new Set(kinds as PlanKind[])]
  }
  if ('approverRole' in doc) {
    if (!APPROVER_ROLES.includes(doc.approverRole as Role)) {
      throw new Error(`${origin}: "approverRole" must be one of ${APPROVER_ROLES.join(', ')}`)
    }
    policy.approverRole = doc.approverRole as Role
  }
  if ('unplannedDrainAfterSeconds' in doc) {
    const s = doc.unplannedDrainAfterSeconds
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > 7 * 24 * 3600) {
      throw new Error(`${origin}: "unplannedDrainAfterSeconds" must be a whole number of seconds from 0 to 604800`)
    }
    policy.unplannedDrainAfterSeconds = s
  }
  if ('autoApplyUnplannedDrain' in doc) {
    if (typeof doc.autoApplyUnplannedDrain !== 'boolean') throw new Error(`${origin}: "autoApplyUnplannedDrain" must be true or false`)
    policy.autoApplyUnplannedDrain = doc.autoApplyUnplannedDrain
  }
  if ('planMaxAgeHours' in doc) {
    const h = doc.planMaxAgeHours
    if (typeof h !== 'number' || !Number.isInteger(h) || h < 0 || h > 365 * 24) {
      throw new Error(`${origin}: "planMaxAgeHours" must be a whole number of hours from 0 (never expire) to 8760`)
    }
    policy.planMaxAgeHours = h
  }
  if ('signals' in doc) policy.signals = parseSignalPolicy(doc.signals, origin)
  if ('freezes' in doc) policy.freezes = parseFreezes(doc.freezes, origin)
  return policy
}

/** `freezes`: [{ "from": ISO time, "until": ISO time, "reason": text }]. */
function parseFreezes(raw: unknown, origin: string): Freeze[] {
  const bad = () => new Error(`${origin}: "freezes" must be a list of { "from": time, "until": time, "reason": text } with times in ISO 8601 (e.g. "2026-12-20T00:00:00Z") and from before until`)
  if (!Array.isArray(raw)) throw bad()
  return raw.map((entry: unknown) => {
    const e = entry as Record<string, unknown>
    if (typeof e !== 'object' || e === null || typeof e.from !== 'string' || typeof e.until !== 'string' || typeof e.reason !== 'string' || e.reason.trim() === '') throw bad()
    const from = new Date(e.from)
    const until = new Date(e.until)
    if (Number.isNaN(from.getTime()) || Number.isNaN(until.getTime()) || from >= until) throw bad()
    return { from, until, reason: e.reason }
  })
}
