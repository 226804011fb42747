import type { AuditInput, ChangeRecord, Clock, Page, PlanListQuery, PlanRepository, StartApplyResult, TransitionFields } from '../../app/ports.js'
import { DEFAULT_CLUSTER } from '../../domain/fleet.js'
import { NodeplanError } from '../../domain/errors.js'
import type { ChangeProgress, ChangeRetry, Plan, PlanDraft, PlanKind, PlanStatus } from '../../domain/plan.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { appendAuditEvent, appendAuditEvents, markOnce, onceKey } from './audit.repository.js'
import { checkPageSize, decodePlanCursor, planCursor } from './cursor.js'
import { newPlanId } from './ids.js'
import { changeRowData, planRowData, toPlan, withChanges } from './plan-rows.js'
import { insertRows } from './insert-rows.js'
import type { PlanWriteSignal } from './plan-writes.js'
import { inWriteTransaction } from './write-transaction.js'
import type { ChainHead, Db, Tx } from './write-transaction.js'

const NOT_FINAL: PlanStatus[] = ['PENDING', 'APPROVED', 'APPLYING']
const newestFirst: Prisma.PlanOrderByWithRelationInput[] = [{ createdAt: 'desc' }, { id: 'desc' }]

export class PrismaPlanRepository implements PlanRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly signal: PlanWriteSignal | null = null,
    /** The cluster whose plans this repository stores and reads; null: every cluster (new plans go to the default one). */
    private readonly cluster: string | null = null,
  ) {}

  /** The same store, limited to one cluster's plans. */
  forCluster(cluster: string): PrismaPlanRepository {
    return new PrismaPlanRepository(this.db, this.clock, this.signal, cluster)
  }

  /** Events about this cluster's plans name the cluster. */
  private audited(audit: AuditInput): AuditInput {
    return this.cluster === null || audit.cluster !== undefined ? audit : { ...audit, cluster: this.cluster }
  }

  private get scope(): Prisma.PlanWhereInput {
    return this.cluster === null ? {} : { cluster: this.cluster }
  }

  /** A write of the plan, followed by the prompt to every reader of it (see plan-writes.ts). */
  private async writePlan<T>(planId: string, work: (tx: Tx, head: ChainHead) => Promise<T>): Promise<T> {
    const result = await inWriteTransaction(this.db, async (tx, head) => {
      const value = await work(tx, head)
      await this.signal?.inTransaction(tx, planId)
      return value
    })
    this.signal?.committed(planId)
    return result
  }

  /** Stores the plan (PENDING unless told); the audit event gets the new plan's id whatever `audit.planId` says. */
  create(draft: PlanDraft, audit: AuditInput, status: 'PENDING' | 'NO_CHANGES' = 'PENDING'): Promise<Plan> {
    const id = newPlanId()
    const now = this.clock.now()
    return inWriteTransaction(this.db, (tx, head) => this.insert(tx, head, id, draft, audit, now, status))
  }

  /** `create`, unless `key` was done before: then nothing is stored and the answer is null. */
  createOnce(key: string, draft: PlanDraft, audit: AuditInput): Promise<Plan | null> {
    const id = newPlanId()
    const now = this.clock.now()
    return inWriteTransaction(this.db, async (tx, head) => {
      if (!(await markOnce(tx, onceKey(this.cluster, key), now))) return null
      return this.insert(tx, head, id, draft, audit, now)
    })
  }

  private async insert(tx: Tx, head: ChainHead, id: string, draft: PlanDraft, audit: AuditInput, now: Date, status: 'PENDING' | 'NO_CHANGES' = 'PENDING'): Promise<Plan> {
    const row = await tx.plan.create({
      data: {
        ...planRowData(id, draft, status, now),
        cluster: this.cluster ?? DEFAULT_CLUSTER,
        changes: { createMany: { data: draft.changes.map(changeRowData) } },
        planNodes: { createMany: { data: [...new Set(draft.nodes)].map((node) => ({ node, createdAt: now })) } },
      },
      include: withChanges,
    })
    await appendAuditEvent(tx, head, { ...audit, planId: id, cluster: row.cluster }, now)
    return toPlan(row)
  }

  async get(id: string): Promise<Plan | null> {
    const row = await this.db.plan.findFirst({ where: { id, ...this.scope }, include: withChanges })
    return row && toPlan(row)
  }

  /** Newest first (createdAt, then id). */
  async list(query: PlanListQuery): Promise<Page<Plan>> {
    checkPageSize(query.first)
    const filtered: Prisma.PlanWhereInput = {
      ...this.scope,
      ...(query.clusters != null && { cluster: { in: query.clusters } }),
      ...(query.status?.length && { status: { in: query.status } }),
      ...(query.node != null && { planNodes: { some: { node: query.node } } }),
    }
    let page = filtered
    if (query.after != null) {
      const { createdAt, id } = decodePlanCursor(query.after)
      page = { AND: [filtered, { OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }] }] }
    }
    const [rows, totalCount] = await Promise.all([
      this.db.plan.findMany({ where: page, orderBy: newestFirst, take: query.first + 1, include: withChanges }),
      this.db.plan.count({ where: filtered }),
    ])
    const items = rows.slice(0, query.first).map(toPlan)
    const cursors = items.map(planCursor)
    return { items, cursors, hasNextPage: rows.length > query.first, endCursor: cursors.at(-1) ?? null, totalCount }
  }

  /**
   * Compare-and-set. The conditional UPDATE is the check: on PostgreSQL a concurrent one waits for
   * the row lock and then re-evaluates `status IN (from)` on the committed row, so exactly one wins,
   * across processes too.
   */
  transition(id: string, from: PlanStatus[], to: PlanStatus, fields: TransitionFields, audit: AuditInput): Promise<Plan | null> {
    const now = this.clock.now()
    return this.writePlan(id, async (tx, head) => {
      const { count } = await tx.plan.updateMany({
        where: { id, status: { in: from } },
        data: { ...fields, status: to, updatedAt: now, version: { increment: 1 } },
      })
      if (count === 0) return null
      // A node lock belongs to an APPLYING plan only: the write that moves a plan on releases them.
      if (to !== 'APPLYING') await tx.nodeLock.deleteMany({ where: { planId: id } })
      const row = await tx.plan.findUniqueOrThrow({ where: { id }, include: withChanges })
      await appendAuditEvent(tx, head, { ...audit, planId: id, cluster: audit.cluster ?? row.cluster }, now)
      return toPlan(row)
    })
  }

  /** Only while the change is not recorded applied or failed: a late retry record never reopens one. */
  async recordRetry(planId: string, index: number, retry: ChangeRetry): Promise<void> {
    await this.writePlan(planId, (tx) =>
      tx.planChange.updateMany({
        where: { planId, index, applied: false, error: null },
        data: { retryAttempt: retry.attempt, retryError: retry.error, retryUntil: retry.until },
      }),
    )
  }

  /** A few statements whatever the number of entries: one UPDATE per distinct outcome, one INSERT of the audit events. */
  recordChanges(planId: string, entries: ChangeRecord[]): Promise<void> {
    const now = this.clock.now()
    // The last record of a change wins, as it would written one by one.
    const latest = new Map(entries.map((entry) => [entry.index, entry.progress]))
    const byOutcome = new Map<string, { progress: ChangeProgress; indexes: number[] }>()
    for (const [index, progress] of latest) {
      const key = JSON.stringify([progress.applied, progress.error])
      const group = byOutcome.get(key) ?? { progress, indexes: [] }
      group.indexes.push(index)
      byOutcome.set(key, group)
    }
    return this.writePlan(planId, async (tx, head) => {
      for (const { progress, indexes } of byOutcome.values()) {
        const { count } = await tx.planChange.updateMany({
          where: { planId, index: { in: indexes } },
          data: { applied: progress.applied, error: progress.error, appliedAt: progress.applied ? now : null },
        })
        if (count !== indexes.length) {
          const found = new Set((await tx.planChange.findMany({ where: { planId, index: { in: indexes } }, select: { index: true } })).map((c) => c.index))
          const index = indexes.find((i) => !found.has(i))
          throw new NodeplanError('NOT_FOUND', `plan ${planId} has no change #${index}`, { planId, index })
        }
      }
      await appendAuditEvents(
        tx,
        head,
        entries.flatMap(({ audit }) => (audit ? [this.audited({ ...audit, planId })] : [])),
        now,
      )
      await tx.plan.update({ where: { id: planId }, data: { updatedAt: now, version: { increment: 1 } } })
    })
  }

  /**
   * One writer per node: in one transaction, takes every node's lock for the plan (all or none),
   * moves the plan from one of `from` to APPLYING with its apply lease, and appends the audit event.
   * A lock belongs to an APPLYING plan; its holder's lease expiring lets the sweeper take the
   * plan over, never another plan take the node. Every write queues on the audit head's row lock
   * first, so the locks read here are the committed ones and no other start interleaves.
   */
  startApply(id: string, from: PlanStatus[], fields: TransitionFields, audit: AuditInput): Promise<StartApplyResult> {
    const now = this.clock.now()
    return this.writePlan(id, async (tx, head) => {
      const plan = await tx.plan.findUnique({ where: { id }, select: { status: true, nodes: true } })
      if (!plan || !from.includes(plan.status as PlanStatus)) return { moved: true as const }
      const wanted = [...new Set(JSON.parse(plan.nodes) as string[])].sort()
      const cluster = (await tx.plan.findUniqueOrThrow({ where: { id }, select: { cluster: true } })).cluster
      const held = await tx.nodeLock.findMany({ where: { cluster, node: { in: wanted } }, orderBy: { node: 'asc' } })
      const conflict = held.find((lock) => lock.planId !== id)
      if (conflict) return { locked: { node: conflict.node, heldBy: conflict.planId } }
      const mine = new Set(held.map((lock) => lock.node))
      await insertRows(tx, 'NodeLock', ['cluster', 'node', 'planId', 'acquiredAt'], wanted.filter((node) => !mine.has(node)).map((node) => ({ cluster, node, planId: id, acquiredAt: now })))
      await tx.plan.update({ where: { id }, data: { ...fields, status: 'APPLYING', updatedAt: now, version: { increment: 1 } } })
      await appendAuditEvent(tx, head, { ...audit, planId: id, cluster: audit.cluster ?? cluster }, now)
      return { started: toPlan(await tx.plan.findUniqueOrThrow({ where: { id }, include: withChanges })) }
    })
  }

  /** The node locks held now, node by node (for operators and tests). */
  async nodeLocks(): Promise<{ node: string; planId: string }[]> {
    return this.db.nodeLock.findMany({ where: this.cluster === null ? {} : { cluster: this.cluster }, orderBy: { node: 'asc' }, select: { node: true, planId: true } })
  }

  async applying(): Promise<Plan[]> {
    const rows = await this.db.plan.findMany({ where: { status: 'APPLYING', ...this.scope }, orderBy: newestFirst, include: withChanges })
    return rows.map(toPlan)
  }

  async lastApplied(kind: PlanKind, node: string): Promise<Plan | null> {
    const row = await this.db.plan.findFirst({
      where: { ...this.scope, kind, status: 'APPLIED', planNodes: { some: { node } } },
      orderBy: [{ appliedAt: 'desc' }, ...newestFirst],
      include: withChanges,
    })
    return row && toPlan(row)
  }

  async createdBefore(statuses: PlanStatus[], before: Date, limit: number): Promise<Plan[]> {
    const rows = await this.db.plan.findMany({
      where: { ...this.scope, status: { in: statuses }, createdAt: { lt: before } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
      include: withChanges,
    })
    return rows.map(toPlan)
  }

  async pendingFor(node: string, kind: PlanKind): Promise<Plan[]> {
    const rows = await this.db.plan.findMany({
      where: { ...this.scope, kind, status: { in: NOT_FINAL }, planNodes: { some: { node } } },
      orderBy: newestFirst,
      include: withChanges,
    })
    return rows.map(toPlan)
  }
}
