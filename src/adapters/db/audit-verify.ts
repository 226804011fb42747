// Verification of the stored audit trail against its head: every event from #1 to the head, each
// once, none outside that range, every link and hash holding, and (with the audit key) the head's
// MAC, which only nodeplan can write.
import type { AuditEvent, AuditVerification } from '../../app/ports.js'
import type { AuditEvent as AuditRow } from '../../generated/prisma/client.js'
import { GENESIS_HASH, type ChainSeal } from './audit-chain.js'
import { toAuditEvent } from './audit.repository.js'
import type { Db } from './write-transaction.js'

const VERIFY_BATCH = 5_000

interface Extent {
  head: number | bigint
  hash: string
  mac: string | null
  count: number | bigint
  min: number | bigint | null
  max: number | bigint | null
}

/**
 * Walks the chain up to the head as it was when the walk began (appends may continue meanwhile).
 * The head and the trail's extent are read in one statement, so an event appended during the walk
 * is never taken for one inserted beyond the head.
 */
export async function verifyChain(db: Db, seal: ChainSeal): Promise<AuditVerification> {
  const keyed = seal.keyed
  const [extent] = await db.$queryRaw<Extent[]>`
    SELECT h."seq" AS "head", h."hash" AS "hash", h."mac" AS "mac",
      (SELECT COUNT(*) FROM "AuditEvent") AS "count",
      (SELECT MIN("seq") FROM "AuditEvent") AS "min",
      (SELECT MAX("seq") FROM "AuditEvent") AS "max"
    FROM "AuditHead" h WHERE h."id" = 1`
  if (!extent) return { checked: 0, firstBroken: null, problem: 'the audit chain has no head row', keyed }
  const end = Number(extent.head)
  const broken = (checked: number, event: AuditEvent | null, problem: string): AuditVerification => ({ checked, firstBroken: event, problem, keyed })

  if (extent.min !== null && Number(extent.min) < 1) {
    const row = await db.auditEvent.findFirst({ where: { seq: { lt: 1 } }, orderBy: { seq: 'asc' } })
    return broken(0, row && readForVerify(row), `event ${row?.id} has sequence number ${row?.seq}: numbers start at 1, so it was inserted outside nodeplan`)
  }
  if (extent.max !== null && Number(extent.max) > end) {
    const row = await db.auditEvent.findFirst({ where: { seq: { gt: end } }, orderBy: { seq: 'asc' } })
    return broken(0, row && readForVerify(row), `event ${row?.id} (#${row?.seq}, ${row?.action}) lies beyond the head (#${end}): it was inserted outside nodeplan, or the head was moved back`)
  }

  let checked = 0
  let prevHash = GENESIS_HASH
  let last: AuditRow | null = null
  // With a key, where to point when the head's seal fails: the first plain (unkeyed) event after
  // a keyed one (a recomputed or inserted stretch), else the first event when none is keyed.
  let seenKeyed = false
  let unkeyedFrom: AuditRow | null = null
  let first: AuditRow | null = null
  for (;;) {
    const rows: AuditRow[] = await db.auditEvent.findMany({ where: { seq: { gt: last?.seq ?? 0, lte: end } }, orderBy: { seq: 'asc' }, take: VERIFY_BATCH })
    for (const row of rows) {
      const event = readForVerify(row)
      if (row.seq !== checked + 1) {
        return broken(checked, event, `events #${checked + 1} to #${row.seq - 1} are missing before event ${row.id}: they were removed`)
      }
      const provenance = row.prevHash === prevHash ? seal.provenance(prevHash, event, row.hash) : null
      if (provenance === null) {
        return broken(checked, event, `event ${row.id} (#${row.seq}, ${row.action}) does not match its hash or its link: it was edited, or an event next to it was inserted or removed`)
      }
      first ??= row
      if (provenance === 'keyed') seenKeyed = true
      else if (seenKeyed) unkeyedFrom ??= row
      checked++
      prevHash = row.hash
      last = row
    }
    if (rows.length < VERIFY_BATCH) break
  }

  if (checked !== end || Number(extent.count) !== end || (last !== null && last.hash !== extent.hash) || (last === null && extent.hash !== GENESIS_HASH)) {
    const event = last && toAuditEvent(last)
    return broken(checked, event, `the head says the trail ends at #${end}, but it holds ${extent.count} events and ends at #${last?.seq ?? 0}: events were removed from the end, or the head was moved`)
  }
  if (keyed && !seal.headMacHolds(end, extent.hash, extent.mac)) {
    const row = unkeyedFrom ?? (seenKeyed ? last : first)
    return broken(
      checked,
      row && readForVerify(row),
      extent.mac === null
        ? 'the head carries no seal of the audit key: the seal was removed, so the trail may have been rewritten'
        : `the head's seal does not hold for #${end}: the trail was rewritten or cut short outside nodeplan${unkeyedFrom ? ` (event ${unkeyedFrom.id} and others after keyed ones carry no keyed hash)` : ''}, written to without the key, or the audit key changed`,
    )
  }
  return { checked, firstBroken: null, problem: null, keyed }
}

/** An edited detail may no longer be JSON: that is a broken link, not a crash. */
export function readForVerify(row: AuditRow): AuditEvent {
  try {
    return toAuditEvent(row)
  } catch {
    return { ...toAuditEvent({ ...row, detail: null }), detail: { unparseableDetail: row.detail } }
  }
}
