import type { AuditEvent, AuditFilter, AuditInput, AuditRepository, AuditVerification, Clock, Page } from '../../app/ports.js'
import type { AuditEvent as AuditRow, Prisma } from '../../generated/prisma/client.js'
import { DEFAULT_CLUSTER } from '../../domain/fleet.js'
import { canonicalJson } from './audit-chain.js'
import { readForVerify, verifyChain } from './audit-verify.js'
import { checkPageSize } from '../../domain/page-size.js'
import { auditCursor, decodeAuditCursor } from './cursor.js'
import { newAuditEventId } from './ids.js'
import { insertRows } from './insert-rows.js'
import { enqueueEvents } from './outbox.repository.js'
import { chainSealOf, headRow, inWriteTransaction } from './write-transaction.js'
import type { ChainHead, Db, Tx } from './write-transaction.js'

/**
 * Work done once per cluster is keyed by the cluster too, so two clusters' nodes of one name (and
 * uid) never share a mark; the default cluster keeps the keys from before clusters existed.
 */
export function onceKey(cluster: string | null, key: string): string {
  return cluster === null || cluster === DEFAULT_CLUSTER ? key : `${cluster}/${key}`
}

export function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    planId: row.planId,
    node: row.node,
    cluster: row.cluster,
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
  await tx.auditHead.update({ where: { id: 1 }, data: headRow(head) })
  const event = toAuditEvent(row)
  await enqueueEvents(tx, [event])
  return event
}

/** Appends several events to the chain, in order, with one INSERT and one move of the head. */
export async function appendAuditEvents(tx: Tx, head: ChainHead, inputs: AuditInput[], at: Date): Promise<void> {
  if (inputs.length === 0) return
  const rows = inputs.map((input) => chainedRow(head, input, at))
  await insertRows(tx, 'AuditEvent', AUDIT_COLUMNS, rows)
  await tx.auditHead.update({ where: { id: 1 }, data: headRow(head) })
  await enqueueEvents(tx, rows.map((r) => ({ ...r, detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>) })))
}

const AUDIT_COLUMNS = ['seq', 'id', 'at', 'actor', 'action', 'planId', 'node', 'cluster', 'detail', 'prevHash', 'hash'] as const

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
    cluster: input.cluster ?? null,
    detail,
  }
  const hash = head.seal.hashFor(head.hash, content)
  const row = { ...content, id: newAuditEventId(), detail: detail === null ? null : canonicalJson(detail), prevHash: head.hash, hash }
  head.seq = content.seq
  head.hash = hash
  return row
}

/**
 * A node's events: those naming it, and the plan-level events (which name no node when a plan has
 * several) of every plan whose nodes include it, so one query answers "who drained gpu-7 and why".
 */
async function nodeEvents(db: Db, node: string): Promise<Prisma.AuditEventWhereInput> {
  const plans = await db.planNode.findMany({ where: { node }, select: { planId: true } })
  if (plans.length === 0) return { node }
  return { OR: [{ node }, { node: null, planId: { in: plans.map((p) => p.planId) } }] }
}

function where(filter: AuditFilter): Prisma.AuditEventWhereInput {
  const at: Prisma.DateTimeFilter = {}
  if (filter.since) at.gte = filter.since
  if (filter.until) at.lte = filter.until
  return {
    ...(filter.cluster != null && { cluster: filter.cluster }),
    ...(filter.visibleClusters != null && { OR: [{ cluster: { in: filter.visibleClusters } }, { cluster: null }] }),
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
    /** The cluster events appended here are about, unless an event names one itself; null: service-wide. */
    private readonly cluster: string | null = null,
  ) {}

  forCluster(cluster: string): PrismaAuditRepository {
    return new PrismaAuditRepository(this.db, this.clock, cluster)
  }

  private audited(event: AuditInput): AuditInput {
    return this.cluster === null || event.cluster !== undefined ? event : { ...event, cluster: this.cluster }
  }

  append(event: AuditInput): Promise<AuditEvent> {
    return inWriteTransaction(this.db, (tx, head) => appendAuditEvent(tx, head, this.audited(event), this.clock.now()))
  }

  appendOnce(key: string, event: AuditInput): Promise<AuditEvent | null> {
    const now = this.clock.now()
    return inWriteTransaction(this.db, async (tx, head) => {
      if (!(await markOnce(tx, onceKey(this.cluster, key), now))) return null
      return appendAuditEvent(tx, head, this.audited(event), now)
    })
  }

  async doneWithout(done: string, undone: string): Promise<string[]> {
    const keys = async (prefix: string) =>
      (await this.db.lifecycleMark.findMany({ where: { key: { startsWith: prefix } }, select: { key: true } })).map((m) => m.key.slice(prefix.length))
    const [started, ended] = await Promise.all([keys(done), keys(undone)])
    const over = new Set(ended)
    return started.filter((rest) => !over.has(rest))
  }

  /** Newest first. `after` is a cursor from an earlier page; `first` is at most 500. */
  async list(filter: AuditFilter, first: number, after: string | null): Promise<Page<AuditEvent>> {
    checkPageSize(first, 0)
    const filtered = filter.node != null ? { AND: [where(filter), await nodeEvents(this.db, filter.node)] } : where(filter)
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

  verify(): Promise<AuditVerification> {
    return verifyChain(this.db, chainSealOf(this.db))
  }

  /**
   * The newest plan.approved event of the plan whose hash shows nodeplan wrote it: with the audit
   * key an HMAC, which a database writer cannot make; without one any matching hash (see README).
   */
  async approvalOf(planId: string): Promise<AuditEvent | null> {
    const seal = chainSealOf(this.db)
    const rows = await this.db.auditEvent.findMany({ where: { planId, action: 'plan.approved', seq: { gte: 1 } }, orderBy: { seq: 'desc' }, take: 10 })
    for (const row of rows) {
      const event = readForVerify(row)
      const provenance = seal.provenance(row.prevHash, event, row.hash)
      if (provenance === 'keyed' || (provenance === 'plain' && !seal.keyed)) return event
    }
    return null
  }
}

/**
 * Records `key` as done; false when it already was. Inside a write transaction, which every
 * replica's writes queue on, so the read sees every committed mark; the key is the primary key besides.
 */
export async function markOnce(tx: Tx, key: string, at: Date): Promise<boolean> {
  if (await tx.lifecycleMark.findUnique({ where: { key }, select: { key: true } })) return false
  await tx.lifecycleMark.create({ data: { key, at } })
  return true
}
