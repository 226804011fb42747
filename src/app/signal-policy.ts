// The "signals" section of the policy file: rules, the Node conditions that count, the storm guard.
import { z } from 'zod'
import { DEFAULT_SIGNAL_POLICY, SIGNAL_ACTIONS, SIGNAL_SEVERITIES, type SignalPolicy } from '../domain/health-signal.js'
import { strictObject, wholeNumber } from '../input-schema.js'

const severity = z.enum(SIGNAL_SEVERITIES, `must be one of ${SIGNAL_SEVERITIES.join(', ')}`)
const pattern = (what: string) => z.string().regex(/^[A-Za-z0-9._:/*-]{1,128}$/, `must be a ${what}, or a prefix ending in *`)
const { stormGuard } = DEFAULT_SIGNAL_POLICY

const rule = strictObject(
  {
    source: pattern('source name').optional(),
    code: pattern('fault code').optional(),
    minSeverity: severity.optional(),
    action: z.enum(SIGNAL_ACTIONS, `must be one of ${SIGNAL_ACTIONS.join(', ')}`),
  },
  'must be an object with source, code, minSeverity, action',
)

const condition = strictObject(
  {
    type: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9.]{0,127}$/, 'must be a Node condition type, such as "KernelDeadlock"')
      .refine((type) => type !== 'Ready', 'the Ready condition is the unplanned-downtime path (unplannedDrainAfterSeconds), not a signal'),
    status: z.enum(['True', 'False', 'Unknown'], 'must be "True", "False" or "Unknown": the status that means a fault'),
    severity: severity.default('CRITICAL'),
  },
  'must be an object with type, status, severity',
)

export const signalPolicySchema = strictObject(
  {
    rules: z.array(rule, 'must be a list').default([]),
    conditions: z.array(condition, 'must be a list').default([]),
    stormGuard: strictObject(
      {
        maxNodes: wholeNumber(0, 100_000).default(stormGuard.maxNodes),
        maxPercent: wholeNumber(0, 100).default(stormGuard.maxPercent),
        windowSeconds: wholeNumber(1, 7 * 24 * 3600, 'seconds').default(stormGuard.windowSeconds),
      },
      'must be an object with maxNodes, maxPercent, windowSeconds',
    ).default(stormGuard),
  },
  'must be an object with rules, conditions, stormGuard',
).default(DEFAULT_SIGNAL_POLICY) satisfies z.ZodType<SignalPolicy, unknown>
