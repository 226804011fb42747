import type { ApplyLeases } from '../../app/apply-lease.js'
import type { AuditInput, Clock } from '../../app/ports.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { appendAuditEvent } from './audit.repository.js'
import { inWriteTransaction } from './write-transaction.js'
import type { Db } from './write-transaction.js'

/**
 * Leases are conditional UPDATEs of the plan row: on PostgreSQL a concurrent one waits for the row
 * lock and re-evaluates its condition on the committed row, so two replicas never both take a plan.
 */
export class PrismaApplyLeases implements ApplyLeases {
  constructor(
    private readonly db: Db,
    private readonly clock: Pick<Clock, 'now'>,
    /** The cluster whose plans this replica's sweeper takes over; null: every cluster's. */
    private readonly cluster: string | null = null,
  ) {}

  forCluster(cluster: string): PrismaApplyLeases {
    return new PrismaApplyLeases(this.db, this.clock, cluster)
  }

  take(planId: string, owner: string, now: Date, until: Date, audit: AuditInput | null): Promise<boolean> {
    const free: Prisma.PlanWhereInput = { OR: [{ applyOwner: null }, { applyOwner: owner }, { leaseExpiresAt: { lt: now } }] }
    return inWriteTransaction(this.db, async (tx, head) => {
      const { count } = await tx.plan.updateMany({ where: { id: planId, status: 'APPLYING', ...free }, data: { applyOwner: owner, leaseExpiresAt: until } })
      if (count === 0) return false
      if (audit) await appendAuditEvent(tx, head, { ...audit, planId, ...(this.cluster !== null && { cluster: this.cluster }) }, this.clock.now())
      return true
    })
  }

  /** In a write transaction like every write: on SQLite a lone UPDATE could be rolled back with another's. */
  renew(planId: string, owner: string, until: Date): Promise<boolean> {
    return inWriteTransaction(this.db, async (tx) => {
      const { count } = await tx.plan.updateMany({ where: { id: planId, status: 'APPLYING', applyOwner: owner }, data: { leaseExpiresAt: until } })
      return count > 0
    })
  }

  async orphaned(now: Date, idleSince: Date): Promise<string[]> {
    const rows = await this.db.plan.findMany({
      where: {
        status: 'APPLYING',
        ...(this.cluster !== null && { cluster: this.cluster }),
        OR: [{ leaseExpiresAt: { lt: now } }, { applyOwner: null, updatedAt: { lt: idleSince } }],
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true },
    })
    return rows.map((row) => row.id)
  }
}
