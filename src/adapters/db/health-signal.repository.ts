import type { AuditInput, HealthSignalRepository, SignalFilter, SignalKey } from '../../app/ports.js'
import type { HealthSignal, SignalOutcome, SignalReport, SignalSeverity, SignalState } from '../../domain/health-signal.js'
import type { HealthSignal as Row } from '../../generated/prisma/client.js'
import { DEFAULT_CLUSTER } from '../../domain/fleet.js'
import { appendAuditEvent } from './audit.repository.js'
import { inWriteTransaction, type Db } from './write-transaction.js'

const LIST_LIMIT = 1000

const toSignal = (row: Row): HealthSignal => ({
  cluster: row.cluster,
  node: row.node,
  source: row.source,
  code: row.code,
  severity: row.severity as SignalSeverity,
  message: row.message,
  firstAt: row.firstAt,
  lastAt: row.lastAt,
  count: row.count,
  state: row.state as SignalState,
  outcome: row.outcome as SignalOutcome,
  proposedAt: row.proposedAt,
  planId: row.planId,
})

/** One cluster's signals: each cluster has its own nodes, storm guard and signal service. */
export class PrismaHealthSignalRepository implements HealthSignalRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: { now(): Date },
    private readonly cluster: string = DEFAULT_CLUSTER,
  ) {}

  forCluster(cluster: string): PrismaHealthSignalRepository {
    return new PrismaHealthSignalRepository(this.db, this.clock, cluster)
  }

  private id(key: SignalKey) {
    return { cluster_node_source_code: { cluster: this.cluster, node: key.node, source: key.source, code: key.code } }
  }

  private audited(audit: AuditInput): AuditInput {
    return { ...audit, cluster: this.cluster }
  }

  record(report: SignalReport, audit: AuditInput): Promise<HealthSignal> {
    return inWriteTransaction(this.db, async (tx, head) => {
      const now = this.clock.now()
      const existing = await tx.healthSignal.findUnique({ where: this.id(report) })
      let row: Row
      if (report.cleared) {
        row = existing
          ? await tx.healthSignal.update({ where: this.id(report), data: { state: 'CLEARED', lastAt: report.at, message: report.message || existing.message, updatedAt: now } })
          : await tx.healthSignal.create({ data: { ...fields(report), cluster: this.cluster, state: 'CLEARED', outcome: 'RECORDED', count: 1, firstAt: report.at, lastAt: report.at, updatedAt: now } })
      } else if (existing && existing.state === 'ACTIVE') {
        row = await tx.healthSignal.update({
          where: this.id(report),
          data: { count: existing.count + 1, lastAt: report.at, message: report.message, severity: report.severity, updatedAt: now },
        })
      } else {
        // A new fault, or one that cleared and came back: a new episode, with a proposal of its own.
        const fresh = { ...fields(report), cluster: this.cluster, state: 'ACTIVE', outcome: 'RECORDED', count: 1, firstAt: report.at, lastAt: report.at, proposedAt: null, planId: null, updatedAt: now }
        row = existing ? await tx.healthSignal.update({ where: this.id(report), data: fresh }) : await tx.healthSignal.create({ data: fresh })
      }
      await appendAuditEvent(tx, head, this.audited(audit), now)
      return toSignal(row)
    })
  }

  reserve(key: SignalKey, now: Date, since: Date, allows: (proposedNodes: number) => boolean, heldAudit: AuditInput): Promise<'reserved' | 'held' | 'taken'> {
    return inWriteTransaction(this.db, async (tx, head) => {
      const row = await tx.healthSignal.findUnique({ where: this.id(key) })
      if (!row || row.state !== 'ACTIVE' || row.outcome === 'PROPOSED' || row.outcome === 'AUTO_APPLIED') return 'taken'
      const others = await tx.healthSignal.findMany({
        where: { cluster: this.cluster, proposedAt: { gte: since }, outcome: { in: ['PROPOSED', 'AUTO_APPLIED'] }, node: { not: key.node } },
        distinct: ['node'],
        select: { node: true },
      })
      if (!allows(others.length)) {
        await tx.healthSignal.update({ where: this.id(key), data: { outcome: 'HELD', updatedAt: now } })
        if (row.outcome !== 'HELD') await appendAuditEvent(tx, head, this.audited(heldAudit), now)
        return 'held'
      }
      await tx.healthSignal.update({ where: this.id(key), data: { outcome: 'PROPOSED', proposedAt: now, updatedAt: now } })
      return 'reserved'
    })
  }

  async settle(key: SignalKey, planId: string | null, outcome: SignalOutcome): Promise<void> {
    await inWriteTransaction(this.db, (tx) =>
      tx.healthSignal.update({
        where: this.id(key),
        data: planId === null ? { outcome: 'RECORDED', proposedAt: null, planId: null, updatedAt: this.clock.now() } : { planId, outcome, updatedAt: this.clock.now() },
      }),
    )
  }

  async list(filter: SignalFilter): Promise<HealthSignal[]> {
    const rows = await this.db.healthSignal.findMany({
      where: {
        cluster: this.cluster,
        ...(filter.state != null && { state: filter.state }),
        ...(filter.outcome != null && { outcome: filter.outcome }),
        ...(filter.node != null && { node: filter.node }),
      },
      orderBy: [{ lastAt: 'desc' }, { node: 'asc' }],
      take: LIST_LIMIT,
    })
    return rows.map(toSignal)
  }
}

function fields(report: SignalReport) {
  return { node: report.node, source: report.source, code: report.code, severity: report.severity, message: report.message }
}
