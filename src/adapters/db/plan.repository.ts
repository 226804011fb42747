import type { AuditInput, ChangeRecord, Clock, Page, PlanListQuery, PlanRepository, StartApplyResult, TransitionFields } from '../../app/ports.js'
import { NodeplanError } from '../../domain/errors.js'
import { DEFAULT_CLUSTER } from '../../domain/fleet.js'
import { checkMove, OPEN_STATUSES } from '../../domain/plan-status.js'
import type { ChangeProgress, ChangeRetry, Plan, PlanDraft, PlanKind, PlanStatus } from '../../domain/plan.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { appendAuditEvent, appendAuditEvents, markOnce, onceKey } from './audit.repository.js'
import { checkPageSize } from '../../domain/page-size.js'
import { decodePlanCursor, planCursor } from './cursor.js'
import { newPlanId } from './ids.js'
import { changeRowData, planRowData, toPlan, withChanges } from './plan-rows.js'
import { releaseNodeLocks, takeNodeLocks } from './node-locks.js'
import type { PlanWriteSignal } from './plan-writes.js'
import { inWriteTransaction } from './write-transaction.js'
import type { ChainHead, Db, Tx } from './write-transaction.js'

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
    checkPageSize(query.first, 0)
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
    return this.writePlan(id, (tx, head) => transitionIn(tx, head, id, from, to, fields, audit, now))
  }

  /** Only while the change is not recorded applied or failed: a late retry record never reopens one. */
  async recordRetry(planId: string, index: number, retry: ChangeRetry): Promise<void> {
    await this.writePlan(planId, (tx) => recordRetryIn(tx, planId, index, retry))
  }

  /** A few statements whatever the number of entries: one UPDATE per distinct outcome, one INSERT of the audit events. */
  recordChanges(planId: string, entries: ChangeRecord[]): Promise<void> {
    const now = this.clock.now()
    return this.writePlan(planId, (tx, head) => recordIn(tx, head, planId, entries, now))
  }

  /** The last records of an apply and the move out of APPLYING (releasing the node locks), in one transaction. */
  finishApply(planId: string, entries: ChangeRecord[], to: 'APPLIED' | 'FAILED', audit: AuditInput): Promise<Plan | null> {
    const now = this.clock.now()
    return this.writePlan(planId, async (tx, head) => {
      await recordProgress(tx, planId, entries, now)
      const audits = entryAudits(planId, entries)
      const finished = await transitionIn(tx, head, planId, ['APPLYING'], to, {}, audit, now, audits)
      // No longer APPLYING (another replica took it over): the records alone.
      if (!finished) await recordedBy(tx, head, planId, audits, now)
      return finished
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
    return this.writePlan(id, (tx, head) => startApplyIn(tx, head, id, from, fields, audit, now))
  }

  /**
   * Runs an apply's statements once, on a plan made for it, in a transaction that is rolled back.
   * Prisma plans each query shape the first time it sees it (tens of milliseconds on a cold process);
   * done at start-up, the first apply after start does not pay for that.
   */
  async warmUp(): Promise<void> {
    const id = newPlanId()
    const now = this.clock.now()
    // The actions an apply records, so that the webhook outbox's statements are planned too.
    const audit = (action: string): AuditInput => ({ actor: 'system', action, detail: { kind: 'DRAIN' } })
    const entry: ChangeRecord = { index: 0, progress: { applied: true, error: null }, audit: audit('change.applied') }
    const rollback = new Error('warm-up: rolled back')
    await inWriteTransaction(this.db, async (tx, head) => {
      const row = { reason: '', createdBy: 'system', createdAt: now, updatedAt: now, nodes: '["warm-up"]', impact: '{}', warnings: '[]', inputs: '[]' }
      await tx.plan.create({ data: { id, kind: 'DRAIN', status: 'PENDING', ...row } })
      await tx.planChange.create({ data: { planId: id, index: 0, address: 'warm-up', node: 'warm-up', resource: 'TAINT', action: 'CREATE', reason: 'REQUESTED' } })
      await tx.plan.findUnique({ where: { id }, include: withChanges })
      await startApplyIn(tx, head, id, ['PENDING'], { appliedBy: 'system', appliedAt: now, applyOwner: 'warm-up', leaseExpiresAt: now }, audit('plan.applying'), now)
      await recordRetryIn(tx, id, 0, { attempt: 1, error: '', until: now })
      await recordIn(tx, head, id, [entry], now)
      await recordProgress(tx, id, [entry], now)
      await transitionIn(tx, head, id, ['APPLYING'], 'APPLIED', {}, audit('plan.applied'), now, [entry.audit!])
      throw rollback
    }).catch((err: unknown) => {
      if (err !== rollback) throw err
    })
  }

  /** The node locks held now, node by node (for operators and tests). */
  async nodeLocks(): Promise<{ node: string; planId: string }[]> {
    return this.db.nodeLock.findMany({ where: this.cluster === null ? {} : { cluster: this.cluster }, orderBy: { node: 'asc' }, select: { node: true, planId: true } })
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
      where: { ...this.scope, kind, status: { in: [...OPEN_STATUSES] }, planNodes: { some: { node } } },
      orderBy: newestFirst,
      include: withChanges,
    })
    return rows.map(toPlan)
  }
}

/**
 * Every status move but the start of an apply: only from the statuses in `from`, which the status
 * table (plan-status.ts) must allow. `before`: audit events of the same write that come before the
 * transition's own (its last records).
 */
async function transitionIn(tx: Tx, head: ChainHead, id: string, from: PlanStatus[], to: PlanStatus, fields: TransitionFields, audit: AuditInput, now: Date, before: AuditInput[] = []): Promise<Plan | null> {
  checkMove(from, to)
  const { count } = await tx.plan.updateMany({
    where: { id, status: { in: from } },
    data: { ...fields, status: to, updatedAt: now, version: { increment: 1 } },
  })
  if (count === 0) return null
  if (to !== 'APPLYING') await releaseNodeLocks(tx, id)
  const row = await tx.plan.findUniqueOrThrow({ where: { id }, include: withChanges })
  await appendAuditEvents(tx, head, ofCluster([...before, { ...audit, planId: id }], row.cluster), now)
  return toPlan(row)
}

async function recordIn(tx: Tx, head: ChainHead, planId: string, entries: ChangeRecord[], now: Date): Promise<void> {
  await recordProgress(tx, planId, entries, now)
  await recordedBy(tx, head, planId, entryAudits(planId, entries), now)
}

const entryAudits = (planId: string, entries: ChangeRecord[]): AuditInput[] => entries.flatMap(({ audit }) => (audit ? [{ ...audit, planId }] : []))

/** The records' audit events, and the plan marked as written. */
async function recordedBy(tx: Tx, head: ChainHead, planId: string, audits: AuditInput[], now: Date): Promise<void> {
  const { cluster } = await tx.plan.update({ where: { id: planId }, data: { updatedAt: now, version: { increment: 1 } }, select: { cluster: true } })
  await appendAuditEvents(tx, head, ofCluster(audits, cluster), now)
}

/** Events about a plan name its cluster. */
const ofCluster = (audits: AuditInput[], cluster: string): AuditInput[] => audits.map((a) => ({ ...a, cluster: a.cluster ?? cluster }))

/** A few statements whatever the number of entries: one UPDATE per distinct outcome. */
async function recordProgress(tx: Tx, planId: string, entries: ChangeRecord[], now: Date): Promise<void> {
  if (entries.length === 0) return
  // The last record of a change wins, as it would written one by one.
  const latest = new Map(entries.map((entry) => [entry.index, entry.progress]))
  const byOutcome = new Map<string, { progress: ChangeProgress; indexes: number[] }>()
  for (const [index, progress] of latest) {
    const key = JSON.stringify([progress.applied, progress.error])
    const group = byOutcome.get(key) ?? { progress, indexes: [] }
    group.indexes.push(index)
    byOutcome.set(key, group)
  }
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
}

/** Only while the change is not recorded applied or failed: a late retry record never reopens one. */
async function recordRetryIn(tx: Tx, planId: string, index: number, retry: ChangeRetry): Promise<void> {
  await tx.planChange.updateMany({
    where: { planId, index, applied: false, error: null },
    data: { retryAttempt: retry.attempt, retryError: retry.error, retryUntil: retry.until },
  })
}

/** One writer per node: the plan's node locks (node-locks.ts), the move to APPLYING with its lease, and the audit event. */
async function startApplyIn(tx: Tx, head: ChainHead, id: string, from: PlanStatus[], fields: TransitionFields, audit: AuditInput, now: Date): Promise<StartApplyResult> {
  checkMove(from, 'APPLYING')
  const plan = await tx.plan.findUnique({ where: { id }, select: { status: true, nodes: true, cluster: true } })
  if (!plan || !from.includes(plan.status as PlanStatus)) return { moved: true as const }
  const locked = await takeNodeLocks(tx, id, plan.cluster, JSON.parse(plan.nodes) as string[], now)
  if (locked) return { locked }
  await tx.plan.update({ where: { id }, data: { ...fields, status: 'APPLYING', updatedAt: now, version: { increment: 1 } } })
  await appendAuditEvents(tx, head, ofCluster([{ ...audit, planId: id }], plan.cluster), now)
  return { started: toPlan(await tx.plan.findUniqueOrThrow({ where: { id }, include: withChanges })) }
}
