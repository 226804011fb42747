import type { Principal } from '../auth.js'
import type { Plan } from '../domain/plan.js'

/** nodeplan itself, as author of the plans it proposes and applier of those policy lets it apply. */
export const SYSTEM_PRINCIPAL: Principal = { subject: 'system', role: 'admin' }

/** A DRAIN plan nodeplan proposed because its node stayed NotReady. */
export const isUnplannedDrain = (plan: Plan): boolean => plan.createdBy === SYSTEM_PRINCIPAL.subject && plan.changes.some((c) => c.reason === 'UNPLANNED_DOWNTIME')
