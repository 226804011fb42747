// The "signals" section of the policy file: rules, the Node conditions that count, the storm guard.
import {
  DEFAULT_SIGNAL_POLICY,
  SIGNAL_ACTIONS,
  SIGNAL_SEVERITIES,
  type ConditionSignal,
  type SignalAction,
  type SignalPolicy,
  type SignalRule,
  type SignalSeverity,
} from '../domain/health-signal.js'

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function refuseUnknownKeys(doc: Record<string, unknown>, known: string[], where: string): void {
  for (const key of Object.keys(doc)) {
    if (!known.includes(key)) throw new Error(`${where}: unknown key "${key}" (known: ${known.join(', ')})`)
  }
}

const pattern = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9._:/*-]{1,128}$/.test(v)

export function parseSignalPolicy(raw: unknown, origin: string): SignalPolicy {
  const where = `${origin}: "signals"`
  if (!isObject(raw)) throw new Error(`${where} must be an object with rules, conditions, stormGuard`)
  refuseUnknownKeys(raw, ['rules', 'conditions', 'stormGuard'], where)
  const policy: SignalPolicy = { ...DEFAULT_SIGNAL_POLICY }
  if ('rules' in raw) {
    if (!Array.isArray(raw.rules)) throw new Error(`${where}.rules must be a list`)
    policy.rules = raw.rules.map((r, i): SignalRule => {
      const at = `${where}.rules[${i}]`
      if (!isObject(r)) throw new Error(`${at} must be an object`)
      refuseUnknownKeys(r, ['source', 'code', 'minSeverity', 'action'], at)
      if (!SIGNAL_ACTIONS.includes(r.action as SignalAction)) throw new Error(`${at}.action must be one of ${SIGNAL_ACTIONS.join(', ')}`)
      if (r.source !== undefined && !pattern(r.source)) throw new Error(`${at}.source must be a source name, or a prefix ending in *`)
      if (r.code !== undefined && !pattern(r.code)) throw new Error(`${at}.code must be a fault code, or a prefix ending in *`)
      if (r.minSeverity !== undefined && !SIGNAL_SEVERITIES.includes(r.minSeverity as SignalSeverity)) {
        throw new Error(`${at}.minSeverity must be one of ${SIGNAL_SEVERITIES.join(', ')}`)
      }
      return {
        ...(r.source !== undefined && { source: r.source as string }),
        ...(r.code !== undefined && { code: r.code as string }),
        ...(r.minSeverity !== undefined && { minSeverity: r.minSeverity as SignalSeverity }),
        action: r.action as SignalAction,
      }
    })
  }
  if ('conditions' in raw) {
    if (!Array.isArray(raw.conditions)) throw new Error(`${where}.conditions must be a list`)
    policy.conditions = raw.conditions.map((c, i): ConditionSignal => {
      const at = `${where}.conditions[${i}]`
      if (!isObject(c)) throw new Error(`${at} must be an object`)
      refuseUnknownKeys(c, ['type', 'status', 'severity'], at)
      if (typeof c.type !== 'string' || !/^[A-Za-z][A-Za-z0-9.]{0,127}$/.test(c.type)) throw new Error(`${at}.type must be a Node condition type, such as "KernelDeadlock"`)
      if (c.type === 'Ready') throw new Error(`${at}: the Ready condition is the unplanned-downtime path (unplannedDrainAfterSeconds), not a signal`)
      if (!['True', 'False', 'Unknown'].includes(c.status as string)) throw new Error(`${at}.status must be "True", "False" or "Unknown": the status that means a fault`)
      const severity = c.severity ?? 'CRITICAL'
      if (!SIGNAL_SEVERITIES.includes(severity as SignalSeverity)) throw new Error(`${at}.severity must be one of ${SIGNAL_SEVERITIES.join(', ')}`)
      return { type: c.type, status: c.status as ConditionSignal['status'], severity: severity as SignalSeverity }
    })
  }
  if ('stormGuard' in raw) {
    const g = raw.stormGuard
    const at = `${where}.stormGuard`
    if (!isObject(g)) throw new Error(`${at} must be an object with maxNodes, maxPercent, windowSeconds`)
    refuseUnknownKeys(g, ['maxNodes', 'maxPercent', 'windowSeconds'], at)
    const whole = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
    const guard = { ...DEFAULT_SIGNAL_POLICY.stormGuard }
    if ('maxNodes' in g) {
      if (!whole(g.maxNodes, 0, 100_000)) throw new Error(`${at}.maxNodes must be a whole number from 0 to 100000`)
      guard.maxNodes = g.maxNodes as number
    }
    if ('maxPercent' in g) {
      if (!whole(g.maxPercent, 0, 100)) throw new Error(`${at}.maxPercent must be a whole number from 0 to 100`)
      guard.maxPercent = g.maxPercent as number
    }
    if ('windowSeconds' in g) {
      if (!whole(g.windowSeconds, 1, 7 * 24 * 3600)) throw new Error(`${at}.windowSeconds must be a whole number of seconds from 1 to 604800`)
      guard.windowSeconds = g.windowSeconds as number
    }
    policy.stormGuard = guard
  }
  return policy
}
