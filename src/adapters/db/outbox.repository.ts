import type { OutboxRepository, WebhookCursorState } from '../../app/ports.js'
import type { OutboxRecord } from '../../domain/cloud-event.js'
import { eventId, eventTypesFor } from '../../domain/event-types.js'
import type { AuditEvent } from '../../app/ports.js'
import type { WebhookCursor } from '../../generated/prisma/client.js'
import { insertRows } from './insert-rows.js'
import { inWriteTransaction, type Db, type Tx } from './write-transaction.js'

/**
 * The outbox rows of audit events just appended in `tx`: one per CloudEvent they raise (most raise
 * none, and cost no query). Called by the audit append, inside its transaction, so the events
 * commit or vanish with their audit records. The head-row lock that transaction holds makes
 * MAX(seq)+1 safe across connections and replicas, and commit order equal to seq order.
 */
export async function enqueueEvents(tx: Tx, events: (Pick<AuditEvent, 'id' | 'at' | 'actor' | 'action' | 'planId' | 'node' | 'detail'> & { cluster?: string | null })[]): Promise<void> {
  const rows = events.flatMap((audit) =>
    eventTypesFor(audit).map((type, index) => ({
      id: eventId(audit.id, index),
      type,
      at: audit.at,
      subject: audit.planId ?? audit.node ?? null,
      data: JSON.stringify({ auditEventId: audit.id, action: audit.action, actor: audit.actor, planId: audit.planId, node: audit.node, ...(audit.cluster != null && { cluster: audit.cluster }), detail: audit.detail }),
    })),
  )
  if (rows.length === 0) return
  const newest = await tx.outboxEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } })
  let seq = newest?.seq ?? 0
  await insertRows(tx, 'OutboxEvent', ['seq', 'id', 'type', 'at', 'subject', 'data'], rows.map((row) => ({ ...row, seq: ++seq })))
}

const toCursor = (row: WebhookCursor): WebhookCursorState => ({
  name: row.name,
  lastSeq: row.lastSeq,
  owner: row.owner,
  leaseUntil: row.leaseUntil,
  attempts: row.attempts,
  nextAttemptAt: row.nextAttemptAt,
})

export class PrismaOutboxRepository implements OutboxRepository {
  constructor(private readonly db: Db) {}

  async ensureCursors(names: string[]): Promise<void> {
    if (names.length === 0) return
    await inWriteTransaction(this.db, async (tx) => {
      const existing = new Set((await tx.webhookCursor.findMany({ where: { name: { in: names } }, select: { name: true } })).map((r) => r.name))
      const missing = names.filter((n) => !existing.has(n))
      if (missing.length === 0) return
      const newest = (await tx.outboxEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } }))?.seq ?? 0
      await tx.webhookCursor.createMany({ data: missing.map((name) => ({ name, lastSeq: newest })) })
    })
  }

  async cursor(name: string): Promise<WebhookCursorState | null> {
    const row = await this.db.webhookCursor.findUnique({ where: { name } })
    return row && toCursor(row)
  }

  async newestSeq(): Promise<number> {
    return (await this.db.outboxEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } }))?.seq ?? 0
  }

  claim(name: string, owner: string, now: Date, until: Date): Promise<WebhookCursorState | null> {
    return inWriteTransaction(this.db, async (tx) => {
      const { count } = await tx.webhookCursor.updateMany({
        where: { name, OR: [{ owner: null }, { owner }, { leaseUntil: null }, { leaseUntil: { lt: now } }] },
        data: { owner, leaseUntil: until },
      })
      if (count !== 1) return null
      const row = await tx.webhookCursor.findUnique({ where: { name } })
      return row && toCursor(row)
    })
  }

  async after(seq: number, limit: number): Promise<OutboxRecord[]> {
    const rows = await this.db.outboxEvent.findMany({ where: { seq: { gt: seq } }, orderBy: { seq: 'asc' }, take: limit })
    return rows.map((r) => ({ seq: r.seq, id: r.id, type: r.type, at: r.at, subject: r.subject, data: JSON.parse(r.data) as Record<string, unknown> }))
  }

  advance(name: string, owner: string, from: number, to: number, until: Date): Promise<boolean> {
    return inWriteTransaction(this.db, async (tx) => {
      const { count } = await tx.webhookCursor.updateMany({
        where: { name, owner, lastSeq: from },
        data: { lastSeq: to, leaseUntil: until, attempts: 0, nextAttemptAt: null, lastError: null },
      })
      return count === 1
    })
  }

  failed(name: string, owner: string, at: number, attempts: number, nextAttemptAt: Date, error: string): Promise<boolean> {
    return inWriteTransaction(this.db, async (tx) => {
      const { count } = await tx.webhookCursor.updateMany({
        where: { name, owner, lastSeq: at },
        data: { attempts, nextAttemptAt, lastError: error.slice(0, 1000) },
      })
      return count === 1
    })
  }

  async release(name: string, owner: string): Promise<void> {
    await inWriteTransaction(this.db, (tx) => tx.webhookCursor.updateMany({ where: { name, owner }, data: { owner: null, leaseUntil: null } }))
  }
}
