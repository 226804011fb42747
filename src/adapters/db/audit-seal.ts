// Sealing the audit chain's head with the audit key the first time nodeplan runs with one: a trail
// written before (without a key, or before the head had a MAC) is taken as it stands then, and an
// `audit.sealed` event says so in the trail itself.
import type { Clock } from '../../app/ports.js'
import { appendAuditEvent } from './audit.repository.js'
import { chainSealOf, inWriteTransaction, type Db } from './write-transaction.js'

/**
 * - `unkeyed`: no audit key configured; nothing to seal.
 * - `sealed`: the head was already sealed with this key.
 * - `sealed-now`: first run with a key: the trail up to `events` was sealed as it stands.
 * - `broken`: the head carries a MAC that does not hold (moved outside nodeplan, or another key);
 *   left as is, so verifyAuditTrail reports it.
 * - `removed`: the head carries no MAC although the trail was sealed before; not sealed again.
 */
export type SealOutcome = { state: 'unkeyed' | 'sealed' | 'broken' | 'removed' } | { state: 'sealed-now'; events: number }

/**
 * `reseal` (--audit-reseal, an operator's deliberate act after reading verify's report): seal a
 * head whose seal is broken or was removed too, taking the trail as it stands; the audit.sealed
 * event records what the seal was before.
 */
export async function sealHead(db: Db, clock: Pick<Clock, 'now'>, options: { reseal?: boolean } = {}): Promise<SealOutcome> {
  if (!chainSealOf(db).keyed) return { state: 'unkeyed' }
  return inWriteTransaction(db, async (tx, head) => {
    if (head.sealed) return { state: 'sealed' }
    let previous: 'broken' | 'removed' | null = null
    if (head.mac !== null) previous = 'broken'
    else if (await tx.auditEvent.findFirst({ where: { action: 'audit.sealed' }, select: { seq: true } })) previous = 'removed'
    if (previous && !options.reseal) return { state: previous }
    const events = head.seq
    // The event is keyed and the head MAC written with it: from here on only nodeplan moves the head.
    head.sealed = true
    const detail = previous ? { unsealedEvents: events, resealed: previous } : { unsealedEvents: events }
    await appendAuditEvent(tx, head, { actor: 'nodeplan', action: 'audit.sealed', detail }, clock.now())
    return { state: 'sealed-now', events }
  })
}
