// Health signals: a fault a tool (NVSentinel, DCGM, node-problem-detector) or a Node condition
// reports for a node, the policy rules that turn them into proposed drains, and the storm guard
// that keeps a fleet-wide fault from draining half the cluster. Pure.
import { NodeplanError } from './errors.js'
import { isValidNodeName } from './validation.js'

export type SignalSeverity = 'INFO' | 'WARNING' | 'CRITICAL'
export const SIGNAL_SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const satisfies readonly SignalSeverity[]
export type SignalState = 'ACTIVE' | 'CLEARED'
/** RECORDED: kept, nothing proposed; PROPOSED / AUTO_APPLIED: a DRAIN plan carries it; HELD: the storm guard held it back. */
export type SignalOutcome = 'RECORDED' | 'PROPOSED' | 'AUTO_APPLIED' | 'HELD'
/** What a rule does with a matching signal. */
export type SignalAction = 'RECORD' | 'PROPOSE_DRAIN' | 'AUTO_DRAIN'
export const SIGNAL_ACTIONS = ['RECORD', 'PROPOSE_DRAIN', 'AUTO_DRAIN'] as const satisfies readonly SignalAction[]

export interface SignalReport {
  node: string
  /** The reporting tool, e.g. "nvsentinel", "dcgm", "npd", or "condition" for Node conditions. */
  source: string
  /** The fault, e.g. "XID-79", "ECC-DBE", "KernelDeadlock": one proposal per node and fault. */
  code: string
  severity: SignalSeverity
  message: string
  at: Date
  /** The fault is over (the node's condition is back, or the tool says so). */
  cleared: boolean
}

export interface HealthSignal {
  /** The cluster the node is in. */
  cluster: string
  node: string
  source: string
  code: string
  severity: SignalSeverity
  message: string
  firstAt: Date
  lastAt: Date
  /** Reports of this fault since it became active. */
  count: number
  state: SignalState
  outcome: SignalOutcome
  proposedAt: Date | null
  planId: string | null
}

export interface SignalRule {
  /** Exact, or a prefix ending in `*`; absent matches any. */
  source?: string
  code?: string
  /** The least severity the rule applies to. */
  minSeverity?: SignalSeverity
  action: SignalAction
}

/** Which Node conditions are signals: a condition of this type in this status is a fault. */
export interface ConditionSignal {
  type: string
  status: 'True' | 'False' | 'Unknown'
  severity: SignalSeverity
}

export interface StormGuard {
  /** At most this many nodes proposed for draining within the window… */
  maxNodes: number
  /** …and at most this share of the cluster's nodes (percent). */
  maxPercent: number
  windowSeconds: number
}

export interface SignalPolicy {
  /** First match wins; a signal no rule matches is recorded only. */
  rules: SignalRule[]
  conditions: ConditionSignal[]
  stormGuard: StormGuard
}

export const DEFAULT_SIGNAL_POLICY: SignalPolicy = {
  rules: [],
  conditions: [],
  stormGuard: { maxNodes: 3, maxPercent: 10, windowSeconds: 3600 },
}

const TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/
const MAX_MESSAGE = 2000
/** Reports from a clock this far ahead of ours are refused: "since" would lie. */
const MAX_FUTURE_MS = 5 * 60_000

const matches = (value: string, pattern: string | undefined): boolean =>
  pattern === undefined || (pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern)

export function ruleFor(policy: SignalPolicy, signal: Pick<SignalReport, 'source' | 'code' | 'severity'>): SignalAction {
  const rank = (s: SignalSeverity) => SIGNAL_SEVERITIES.indexOf(s)
  const rule = policy.rules.find(
    (r) => matches(signal.source, r.source) && matches(signal.code, r.code) && (r.minSeverity === undefined || rank(signal.severity) >= rank(r.minSeverity)),
  )
  return rule?.action ?? 'RECORD'
}

/** Whether one more node may be proposed, with `proposed` other nodes proposed in the window out of `total`. */
export function stormAllows(guard: StormGuard, proposed: number, total: number): boolean {
  return proposed + 1 <= guard.maxNodes && proposed + 1 <= Math.floor((guard.maxPercent / 100) * total)
}

/** Checks a report as it arrives over the API; throws BAD_USER_INPUT naming the field. */
export function checkReport(report: SignalReport, now: Date): SignalReport {
  const bad = (field: string, message: string) => new NodeplanError('BAD_USER_INPUT', message, { field })
  if (typeof report.node !== 'string' || !isValidNodeName(report.node)) throw bad('node', `"${String(report.node)}" is not a node name`)
  if (typeof report.source !== 'string' || !TOKEN.test(report.source)) throw bad('source', 'source must be 1 to 128 letters, digits and . _ : / -, starting with a letter or digit')
  if (typeof report.code !== 'string' || !TOKEN.test(report.code)) throw bad('code', 'code must be 1 to 128 letters, digits and . _ : / -, starting with a letter or digit')
  if (!SIGNAL_SEVERITIES.includes(report.severity)) throw bad('severity', `severity must be one of ${SIGNAL_SEVERITIES.join(', ')}`)
  if (typeof report.message !== 'string' || report.message.length > MAX_MESSAGE) throw bad('message', `message must be text of at most ${MAX_MESSAGE} characters`)
  if (!(report.at instanceof Date) || Number.isNaN(report.at.getTime())) throw bad('time', 'time must be an ISO-8601 date and time')
  if (report.at.getTime() - now.getTime() > MAX_FUTURE_MS) throw bad('time', `time ${report.at.toISOString()} is more than 5 minutes ahead of this server's clock`)
  if (typeof report.cleared !== 'boolean') throw bad('cleared', 'cleared must be true or false')
  return report
}

/** The DRAIN plan's reason: the evidence, so the approver sees why without looking elsewhere. */
export function drainReason(signal: Pick<HealthSignal, 'node' | 'source' | 'code' | 'severity' | 'message' | 'firstAt' | 'count'>): string {
  const times = signal.count === 1 ? '' : ` (${signal.count} reports)`
  return `health signal: ${signal.source} ${signal.code} (${signal.severity}) on ${signal.node} since ${signal.firstAt.toISOString()}${times}: ${signal.message}`.trim()
}
