// Which audit events become CloudEvents, and of which types. One table: a new kind of event
// (rollout waves, say) is a new line here and a new audit action, nothing else.

/** What an audit event carries that decides its CloudEvents. */
export interface AuditFacts {
  action: string
  detail?: Record<string, unknown> | null
}

export const EVENT_TYPES = {
  planCreated: 'io.nodeplan.plan.created',
  planNeedsApproval: 'io.nodeplan.plan.approval.needed',
  planApproved: 'io.nodeplan.plan.approved',
  planApplying: 'io.nodeplan.plan.applying',
  planApplied: 'io.nodeplan.plan.applied',
  planFailed: 'io.nodeplan.plan.failed',
  planRolledBack: 'io.nodeplan.plan.rolledback',
  signalReceived: 'io.nodeplan.signal.received',
  signalHeld: 'io.nodeplan.signal.held',
} as const

export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES]
export const ALL_EVENT_TYPES: readonly EventType[] = Object.values(EVENT_TYPES)

/** Audit action → the event types it raises, given its detail. */
const BY_ACTION: Record<string, (detail: Record<string, unknown>) => EventType[]> = {
  'plan.created': (d) => (d.needsApproval === true ? [EVENT_TYPES.planCreated, EVENT_TYPES.planNeedsApproval] : [EVENT_TYPES.planCreated]),
  'plan.approved': () => [EVENT_TYPES.planApproved],
  'plan.applying': () => [EVENT_TYPES.planApplying],
  'plan.applied': (d) => (d.kind === 'ROLLBACK' ? [EVENT_TYPES.planApplied, EVENT_TYPES.planRolledBack] : [EVENT_TYPES.planApplied]),
  'plan.failed': () => [EVENT_TYPES.planFailed],
  'signal.received': () => [EVENT_TYPES.signalReceived],
  'signal.held': () => [EVENT_TYPES.signalHeld],
}

/** The CloudEvent types an audit event raises, in order; none for most actions (change.applied, node.ready, …). */
export function eventTypesFor(audit: AuditFacts): EventType[] {
  return BY_ACTION[audit.action]?.(audit.detail ?? {}) ?? []
}

/**
 * The event's id: the audit event's id for the first type it raises, with a suffix for the
 * others, so the id is stable across redeliveries and a receiver can de-duplicate on it.
 */
export function eventId(auditEventId: string, index: number): string {
  return index === 0 ? auditEventId : `${auditEventId}.${index}`
}

/**
 * A subscription pattern: an exact type, or a prefix ending in `*` (`io.nodeplan.plan.*`, `*`).
 * Returns why it is not a pattern, or null.
 */
export function patternProblem(pattern: string): string | null {
  if (pattern.endsWith('*')) return null
  return ALL_EVENT_TYPES.includes(pattern as EventType) ? null : `unknown event type "${pattern}" (known: ${ALL_EVENT_TYPES.join(', ')}; or a prefix ending in *)`
}

export function matchesPattern(type: string, pattern: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern
}
