import type { AuditInput, Clock, Page } from '../../app/ports.js'
import type { RolloutListQuery, RolloutRepository } from '../../app/rollout-ports.js'
import { ACTIVE_ROLLOUT_STATUSES, type PauseCause, type Rollout, type RolloutDraft, type RolloutSettings, type RolloutStatus, type RolloutWave } from '../../domain/rollout.js'
import type { Prisma, Rollout as RolloutRow } from '../../generated/prisma/client.js'
import { appendAuditEvents } from './audit.repository.js'
import { checkPageSize } from '../../domain/page-size.js'
import { decodeRolloutCursor, rolloutCursor } from './cursor.js'
import { newRolloutId } from './ids.js'
import type { PlanWriteSignal } from './plan-writes.js'
import { inWriteTransaction } from './write-transaction.js'
import type { Db } from './write-transaction.js'

const newestFirst: Prisma.RolloutOrderByWithRelationInput[] = [{ createdAt: 'desc' }, { id: 'desc' }]

// A rollout's own audit events carry its id as planId, so auditEvents(filter: { planId }) is its timeline.

/** Dates inside the JSON columns come back as ISO strings: these keys are turned back into Dates. */
const DATE_KEYS = new Set(['notBefore', 'drainedAt', 'maintenanceDoneAt', 'returnedAt', 'noScheduleAt', 'startedAt', 'finishedAt'])
const revive = (key: string, value: unknown) => (DATE_KEYS.has(key) && typeof value === 'string' ? new Date(value) : value)

function settingsOf(r: RolloutSettings): RolloutSettings {
  return {
    drainMode: r.drainMode,
    drainTimeoutSeconds: r.drainTimeoutSeconds,
    maxUnavailableInput: r.maxUnavailableInput,
    maxUnavailable: r.maxUnavailable,
    minGpusInService: r.minGpusInService,
    poolLabel: r.poolLabel,
    poolFloors: r.poolFloors,
    completeOnReboot: r.completeOnReboot,
    notBefore: r.notBefore,
    window: r.window,
    order: r.order,
  }
}

function stateData(r: Omit<Rollout, 'id' | 'createdAt' | 'version'>) {
  return {
    cluster: r.cluster,
    status: r.status,
    reason: r.reason,
    createdBy: r.createdBy,
    approvedBy: r.approvedBy,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    settings: JSON.stringify(settingsOf(r)),
    waves: JSON.stringify(r.waves),
    pausedBy: r.pausedBy,
    waitingFor: r.waitingFor,
    error: r.error,
    leftDrained: JSON.stringify(r.leftDrained),
    warnings: JSON.stringify(r.warnings),
  }
}

function toRollout(row: RolloutRow): Rollout {
  return {
    ...(JSON.parse(row.settings, revive) as RolloutSettings),
    id: row.id,
    cluster: row.cluster,
    status: row.status as RolloutStatus,
    reason: row.reason,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    approvedBy: row.approvedBy,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    waves: JSON.parse(row.waves, revive) as RolloutWave[],
    pausedBy: row.pausedBy as PauseCause | null,
    waitingFor: row.waitingFor,
    error: row.error,
    leftDrained: JSON.parse(row.leftDrained) as string[],
    warnings: JSON.parse(row.warnings) as string[],
    version: row.version,
  }
}

export class PrismaRolloutRepository implements RolloutRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Pick<Clock, 'now'>,
    /** Prompts readers (rolloutProgress) as plan writes do; the rollout's id is the key. */
    private readonly signal: PlanWriteSignal | null = null,
  ) {}

  async create(draft: RolloutDraft, audit: AuditInput): Promise<Rollout> {
    const id = newRolloutId()
    const now = this.clock.now()
    const row = await inWriteTransaction(this.db, async (tx, head) => {
      const created = await tx.rollout.create({ data: { id, createdAt: now, updatedAt: now, ...stateData(draft) } })
      await appendAuditEvents(tx, head, [{ cluster: draft.cluster, ...audit, planId: id, detail: { ...audit.detail, rolloutId: id } }], now)
      return created
    })
    return toRollout(row)
  }

  async get(id: string): Promise<Rollout | null> {
    const row = await this.db.rollout.findUnique({ where: { id } })
    return row && toRollout(row)
  }

  async list(query: RolloutListQuery): Promise<Page<Rollout>> {
    checkPageSize(query.first, 0)
    const filtered: Prisma.RolloutWhereInput = {
      ...(query.status?.length ? { status: { in: query.status } } : {}),
      ...(query.clusters != null ? { cluster: { in: [...query.clusters] } } : {}),
    }
    let page = filtered
    if (query.after != null) {
      const { createdAt, id } = decodeRolloutCursor(query.after)
      page = { AND: [filtered, { OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }] }] }
    }
    const [rows, totalCount] = await Promise.all([
      this.db.rollout.findMany({ where: page, orderBy: newestFirst, take: query.first + 1 }),
      this.db.rollout.count({ where: filtered }),
    ])
    const items = rows.slice(0, query.first).map(toRollout)
    const cursors = items.map(rolloutCursor)
    return { items, cursors, hasNextPage: rows.length > query.first, endCursor: cursors.at(-1) ?? null, totalCount }
  }

  async save(rollout: Rollout, audit: AuditInput[]): Promise<Rollout | null> {
    const now = this.clock.now()
    const row = await inWriteTransaction(this.db, async (tx, head) => {
      const { count } = await tx.rollout.updateMany({
        where: { id: rollout.id, version: rollout.version },
        data: { ...stateData(rollout), updatedAt: now, version: { increment: 1 } },
      })
      if (count === 0) return null
      await appendAuditEvents(tx, head, audit.map((a) => ({ cluster: rollout.cluster, ...a, planId: rollout.id, detail: { ...a.detail, rolloutId: rollout.id } })), now)
      await this.signal?.inTransaction(tx, rollout.id)
      return tx.rollout.findUniqueOrThrow({ where: { id: rollout.id } })
    })
    if (row) this.signal?.committed(rollout.id)
    return row && toRollout(row)
  }

  async active(cluster: string): Promise<Rollout[]> {
    const rows = await this.db.rollout.findMany({ where: { cluster, status: { in: [...ACTIVE_ROLLOUT_STATUSES] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
    return rows.map(toRollout)
  }

  takeLease(id: string, owner: string, now: Date, until: Date): Promise<boolean> {
    return inWriteTransaction(this.db, async (tx) => {
      const { count } = await tx.rollout.updateMany({
        where: { id, OR: [{ runnerOwner: null }, { runnerOwner: owner }, { leaseExpiresAt: { lt: now } }] },
        data: { runnerOwner: owner, leaseExpiresAt: until },
      })
      return count > 0
    })
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await inWriteTransaction(this.db, (tx) => tx.rollout.updateMany({ where: { id, runnerOwner: owner }, data: { runnerOwner: null, leaseExpiresAt: null } }))
  }
}
