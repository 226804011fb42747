import type { AuditEvent, AuditFilter, AuditInput, AuditRepository, Clock, Page } from '../../app/ports.js'
import type { AuditEvent as AuditRow, Prisma } from '../../generated/prisma/client.js'
import { GENESIS_HASH, canonicalJson, eventHash } from './audit-chain.js'
import { auditCursor, checkPageSize, decodeAuditCursor } from './cursor.js'
import { newAuditEventId } from './ids.js'
import { insertRows } from './insert-rows.js'
import { enqueueEvents } from './outbox.repository.js'
import { inWriteTransaction } from './write-transaction.js'
import type { ChainHead, Db, Tx } from './write-transaction.js'

const VERIFY_BATCH = 5_000

export function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    planId: row.planId,
    node: row.node,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
    prevHash: row.prevHash,
    hash: row.hash,
  }
}

/**
 * Appends one event to the chain. Runs inside inWriteTransaction, which holds the head row's
 * lock, so `head` is the chain's end until this transaction commits.
 */
export async function appendAuditEvent(tx: Tx, head: ChainHead, input: AuditInput, at: Date): Promise<AuditEvent> {
  const data = chainedRow(head, input, at)
  const row = await tx.auditEvent.create({ data })
  await tx.auditHead.update({ where: { id: 1 }, data: { seq: head.seq, hash: head.hash } })
  const event = toAuditEvent(row)
  await enqueueEvents(tx, [event])
  return event
}

/** Appends several events to the chain, in order, with one INSERT and one move of the head. */
export async function appendAuditEvents(tx: Tx, head: ChainHead, inputs: AuditInput[], at: Date): Promise<void> {
  if (inputs.length === 0) return
  const rows = inputs.map((input) => chainedRow(head, input, at))
  await insertRows(tx, 'AuditEvent', AUDIT_COLUMNS, rows)
  await tx.auditHead.update({ where: { id: 1 }, data: { seq: head.seq, hash: head.hash } })
  await enqueueEvents(tx, rows.map((r) => ({ ...r, detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>) })))
}

const AUDIT_COLUMNS = ['seq', 'id', 'at', 'actor', 'action', 'planId', 'node', 'detail', 'prevHash', 'hash'] as const

/** The next event's row, linked to `head`, which then points at it. */
function chainedRow(head: ChainHead, input: AuditInput, at: Date) {
  // Round-trip through JSON so that what is hashed is exactly what a later read parses.
  const detail = input.detail == null ? null : (JSON.parse(canonicalJson(input.detail)) as Record<string, unknown>)
  const content = {
    seq: head.seq + 1,
    at,
    actor: input.actor,
    action: input.action,
    planId: input.planId ?? null,
    node: input.node ?? null,
    detail,
  }
  const hash = eventHash(head.hash, content)
  const row = { ...content, id: newAuditEventId(), detail: detail === null ? null : canonicalJson(detail), prevHash: head.hash, hash }
  head.seq = content.seq
  head.hash = hash
  return row
}

/** An edited detail may no longer be JSON: that is a broken link, not a crash. */
function readForVerify(row: AuditRow): AuditEvent {
  try {
    return toAuditEvent(row)
  } catch {
    return { ...toAuditEvent({ ...row, detail: null }), detail: { unparseableDetail: row.detail } }
  }
}

function where(filter: AuditFilter): Prisma.AuditEventWhereInput {
  const at: Prisma.DateTimeFilter = {}
  if (filter.since) at.gte = filter.since
  if (filter.until) at.lte = filter.until
  return {
    ...(filter.node != null && { node: filter.node }),
    ...(filter.planId != null && { planId: filter.planId }),
    ...(filter.actor != null && { actor: filter.actor }),
    ...(filter.action != null && { action: filter.action }),
    ...((filter.since || filter.until) && { at }),
  }
}

export class PrismaAuditRepository implements AuditRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  append(event: AuditInput): Promise<AuditEvent> {
    return inWriteTransaction(this.db, (tx, head) => appendAuditEvent(tx, head, event, this.clock.now()))
  }

  /** Newest first. `after` is a cursor from an earlier page; `first` is at most 500. */
  async list(filter: AuditFilter, first: number, after: string | null): Promise<Page<AuditEvent>> {
    checkPageSize(first)
    const filtered = where(filter)
    const page = after == null ? filtered : { AND: [filtered, { seq: { lt: decodeAuditCursor(after) } }] }
    const unfiltered = Object.keys(filtered).length === 0
    const [rows, totalCount] = await Promise.all([
      this.db.auditEvent.findMany({ where: page, orderBy: { seq: 'desc' }, take: first + 1 }),
      // The trail is append-only with consecutive seqs, so the head's seq counts it without a scan.
      unfiltered
        ? this.db.auditHead.findUnique({ where: { id: 1 } }).then((head) => head?.seq ?? 0)
        : this.db.auditEvent.count({ where: filtered }),
    ])
    const items = rows.slice(0, first).map(toAuditEvent)
    const cursors = items.map((item) => auditCursor(item.seq))
    return { items, cursors, hasNextPage: rows.length > first, endCursor: cursors.at(-1) ?? null, totalCount }
  }

  /**
   * Walks the chain in seq order, a batch at a time, up to the head as it was when the walk began
   * (appends may continue meanwhile). Reports the first event whose prevHash is not its
   * predecessor's hash or whose hash does not match its content; when every link holds but the
   * chain ends before that head (events removed from the end), the last event.
   */
  async verify(): Promise<{ checked: number; firstBroken: AuditEvent | null }> {
    const head = await this.db.auditHead.findUnique({ where: { id: 1 } })
    const end = head?.seq ?? 0
    let checked = 0
    let prevHash = GENESIS_HASH
    let last: AuditRow | null = null
    for (;;) {
      const rows: AuditRow[] = await this.db.auditEvent.findMany({
        where: { seq: { gt: last?.seq ?? 0, lte: end } },
        orderBy: { seq: 'asc' },
        take: VERIFY_BATCH,
      })
      for (const row of rows) {
        const event = readForVerify(row)
        if (row.prevHash !== prevHash || eventHash(prevHash, event) !== row.hash) return { checked, firstBroken: event }
        checked++
        prevHash = row.hash
        last = row
      }
      if (rows.length < VERIFY_BATCH) break
    }
    if (head && last && (last.seq !== head.seq || last.hash !== head.hash)) return { checked, firstBroken: toAuditEvent(last) }
    return { checked, firstBroken: null }
  }
}
