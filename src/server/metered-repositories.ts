// The repositories wrapped to count what they write for /metrics (metrics.ts): every writer — the
// API, the downtime watcher, a resumed apply — is counted without a database query per scrape.
import type { ApplyLeases } from '../app/apply-lease.js'
import type { AuditEvent, AuditFilter, AuditInput, AuditRepository, ChangeRecord, Page, PlanListQuery, PlanRepository, StartApplyResult, TransitionFields } from '../app/ports.js'
import type { ChangeRetry, Plan, PlanDraft, PlanKind, PlanStatus } from '../domain/plan.js'
import type { ClusterMetrics } from './cluster-metrics.js'

/** Counts plans by the status they reach and times applies, for any writer of plans. */
export class MeteredPlanRepository implements PlanRepository {
  private readonly applyStarted = new Map<string, (labels: { status: PlanStatus }) => number>()

  constructor(
    private readonly inner: PlanRepository,
    private readonly metrics: ClusterMetrics,
  ) {}

  async create(draft: PlanDraft, audit: AuditInput, status?: 'PENDING' | 'NO_CHANGES'): Promise<Plan> {
    const plan = await this.inner.create(draft, audit, status)
    this.metrics.plans.inc({ kind: plan.kind, status: plan.status })
    this.metrics.auditEvents.inc()
    return plan
  }

  async createOnce(key: string, draft: PlanDraft, audit: AuditInput): Promise<Plan | null> {
    const plan = await this.inner.createOnce(key, draft, audit)
    if (!plan) return plan
    this.metrics.plans.inc({ kind: plan.kind, status: plan.status })
    this.metrics.auditEvents.inc()
    return plan
  }

  async transition(id: string, from: PlanStatus[], to: PlanStatus, fields: TransitionFields, audit: AuditInput): Promise<Plan | null> {
    return this.moved(id, to, await this.inner.transition(id, from, to, fields, audit))
  }

  async finishApply(planId: string, entries: ChangeRecord[], to: 'APPLIED' | 'FAILED', audit: AuditInput): Promise<Plan | null> {
    const plan = await this.inner.finishApply(planId, entries, to, audit)
    this.metrics.auditEvents.inc(entries.filter((e) => e.audit).length)
    return this.moved(planId, to, plan)
  }

  private moved(id: string, to: PlanStatus, plan: Plan | null): Plan | null {
    if (!plan) return plan
    this.metrics.plans.inc({ kind: plan.kind, status: plan.status })
    this.metrics.auditEvents.inc()
    if (to === 'APPLYING') {
      this.applyStarted.set(id, this.metrics.applyDuration.startTimer({ kind: plan.kind }))
    } else if (this.applyStarted.has(id)) {
      // Plans resumed after a restart have no start time here and are not timed.
      this.applyStarted.get(id)!({ status: to })
      this.applyStarted.delete(id)
    }
    return plan
  }

  async recordChanges(planId: string, entries: ChangeRecord[]): Promise<void> {
    await this.inner.recordChanges(planId, entries)
    this.metrics.auditEvents.inc(entries.filter((e) => e.audit).length)
  }

  recordRetry(planId: string, index: number, retry: ChangeRetry): Promise<void> {
    return this.inner.recordRetry(planId, index, retry)
  }

  get(id: string): Promise<Plan | null> {
    return this.inner.get(id)
  }
  list(query: PlanListQuery): Promise<Page<Plan>> {
    return this.inner.list(query)
  }
  async startApply(id: string, from: PlanStatus[], fields: TransitionFields, audit: AuditInput): Promise<StartApplyResult> {
    const result = await this.inner.startApply(id, from, fields, audit)
    if ('started' in result) {
      this.metrics.plans.inc({ kind: result.started.kind, status: 'APPLYING' })
      this.metrics.auditEvents.inc()
      this.applyStarted.set(id, this.metrics.applyDuration.startTimer({ kind: result.started.kind }))
    }
    return result
  }
  nodeLocks() {
    return this.inner.nodeLocks()
  }
  createdBefore(statuses: PlanStatus[], before: Date, limit: number): Promise<Plan[]> {
    return this.inner.createdBefore(statuses, before, limit)
  }
  lastApplied(kind: PlanKind, node: string): Promise<Plan | null> {
    return this.inner.lastApplied(kind, node)
  }
  pendingFor(node: string, kind: PlanKind): Promise<Plan[]> {
    return this.inner.pendingFor(node, kind)
  }
}

export class MeteredAuditRepository implements AuditRepository {
  constructor(
    private readonly inner: AuditRepository,
    private readonly metrics: Pick<ClusterMetrics, 'auditEvents'>,
  ) {}

  async append(event: AuditInput): Promise<AuditEvent> {
    const written = await this.inner.append(event)
    this.metrics.auditEvents.inc()
    return written
  }
  async appendOnce(key: string, event: AuditInput): Promise<AuditEvent | null> {
    const written = await this.inner.appendOnce(key, event)
    if (written) this.metrics.auditEvents.inc()
    return written
  }
  list(filter: AuditFilter, first: number, after: string | null): Promise<Page<AuditEvent>> {
    return this.inner.list(filter, first, after)
  }
  verify() {
    return this.inner.verify()
  }
  approvalOf(planId: string) {
    return this.inner.approvalOf(planId)
  }
  doneWithout(done: string, undone: string) {
    return this.inner.doneWithout(done, undone)
  }
}

/** Counts the audit event a lease take-over appends (plan.resumed by another replica). */
export class MeteredApplyLeases implements ApplyLeases {
  constructor(
    private readonly inner: ApplyLeases,
    private readonly metrics: ClusterMetrics,
  ) {}

  async take(planId: string, owner: string, now: Date, until: Date, audit: AuditInput | null): Promise<boolean> {
    const taken = await this.inner.take(planId, owner, now, until, audit)
    if (taken && audit) this.metrics.auditEvents.inc()
    if (taken) this.metrics.applyLeaseTakeOvers.inc()
    return taken
  }
  async renew(planId: string, owner: string, until: Date): Promise<boolean> {
    const held = await this.inner.renew(planId, owner, until)
    this.metrics.applyLeaseRenewals.inc({ result: held ? 'renewed' : 'lost' })
    return held
  }
  orphaned(now: Date, idleSince: Date): Promise<string[]> {
    return this.inner.orphaned(now, idleSince)
  }
}
