import { z } from 'zod'
import type { PlanKind } from '../domain/plan.js'
import type { Role } from '../auth.js'
import { parseInput, strictObject, wholeNumber } from '../input-schema.js'
import { signalPolicySchema } from './signal-policy.js'

const PLAN_KINDS = ['DRAIN', 'UNDRAIN', 'DECOMMISSION', 'REJOIN', 'RELABEL', 'ROLLBACK'] as const satisfies readonly PlanKind[]
const APPROVER_ROLES = ['operator', 'approver', 'admin'] as const satisfies readonly Role[]

/** What an organisation decides: which plans need a second person, and what nodeplan may do alone. Every key may be left out. */
const policySchema = strictObject(
  {
    requireApproval: z
      .array(z.enum(PLAN_KINDS, `must be one of ${PLAN_KINDS.join(', ')}`), `must be a list of ${PLAN_KINDS.join(', ')}`)
      .default(['DECOMMISSION'])
      .transform((kinds) => [...new Set(kinds)]),
    /** The least role that may approve a plan; the author never may. */
    approverRole: z.enum(APPROVER_ROLES, `must be one of ${APPROVER_ROLES.join(', ')}`).default('approver'),
    /** A node NotReady longer than this gets a proposed DRAIN plan. */
    unplannedDrainAfterSeconds: wholeNumber(0, 7 * 24 * 3600, 'seconds').default(300),
    /** Apply such proposals without a person. */
    autoApplyUnplannedDrain: z.boolean('must be true or false').default(false),
    /** A PENDING or APPROVED plan older than this is expired (DISCARDED, audit plan.expired); 0: never. */
    planMaxAgeHours: wholeNumber(0, 365 * 24, 'hours', '0: never expire').default(7 * 24),
    /** Health signals: which become proposed drains, and the storm guard. */
    signals: signalPolicySchema,
  },
  'expected a JSON object',
)

export type Policy = z.output<typeof policySchema>

export const DEFAULT_POLICY: Policy = policySchema.parse({})

/** Validates a policy document; unknown keys are refused so that a typo cannot silently disable a rule. */
export function parsePolicy(raw: unknown, origin = 'policy'): Policy {
  return parseInput(policySchema, raw, origin)
}
