import { drainAnnotations } from '../domain/drain-annotations.js'
import { hostname } from 'node:os'
import type { Principal } from '../auth.js'
import { NodeplanError } from '../domain/errors.js'
import type { ChangeRetry, Plan, PlannedChange, PlanStatus } from '../domain/plan.js'
import { staleness } from '../domain/staleness.js'
import { freezeAt } from '../domain/maintenance-window.js'
import type { Logger } from '../logger.js'
import { requireRole } from './access.js'
import type { ApplyLeases } from './apply-lease.js'
import { notApplicable, singleNode } from './plan.service.js'
import type { Policy } from './policy.js'
import type { ApplyOutcome, AuditRepository, ChangeRecord, Clock, ClusterCache, NodeWriter, PlanRepository } from './ports.js'

/** The statuses a plan is applied from. */
const APPLICABLE: PlanStatus[] = ['PENDING', 'APPROVED']

function refuseUnlessApplicable(plan: Plan): void {
  if (!APPLICABLE.includes(plan.status)) throw notApplicable(plan, 'applied', APPLICABLE)
}

export interface ApplyOptions {
  /** Nodes written at once. */
  parallelism: number
  /** How long one change may keep retrying a failing API server. */
  changeDeadlineMs: number
  /** How long an apply's lease lasts unrenewed; it is renewed every third of that while the apply runs. */
  leaseMs: number
  /**
   * This replica in the plan's lease: stable across restarts of the same pod or host (its hostname),
   * so a restarted replica resumes its own plans at once; another replica waits for the lease to expire.
   */
  owner: string
  /** The leases' time (the system clock by default). */
  clock: Pick<Clock, 'now'>
}

export const DEFAULT_APPLY_OPTIONS: ApplyOptions = {
  parallelism: 16,
  changeDeadlineMs: 30_000,
  leaseMs: 30_000,
  owner: hostname(),
  clock: { now: () => new Date() },
}

/** How often each replica looks for plans whose apply lease expired. */
export const DEFAULT_LEASE_SWEEP_INTERVAL_MS = 10_000

/** A lease this process holds while it applies a plan. */
interface HeldLease {
  /** False once another replica took the plan over, or the lease ran out without a renewal. */
  valid(): boolean
  release(): void
}

/**
 * Applies stored plans: refuses stale or locked ones, writes each change exactly once,
 * records progress per change, and ends every plan APPLIED or FAILED.
 */
export class ApplyService {
  /** Plans this process is applying right now. */
  private readonly running = new Set<string>()
  private readonly recorders = new Map<string, BatchRecorder>()
  private sweeper: NodeJS.Timeout | null = null
  private sweeping: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly cache: ClusterCache,
    private readonly writer: NodeWriter,
    private readonly plans: PlanRepository,
    private readonly audit: AuditRepository,
    private readonly policy: Policy,
    private readonly log: Logger,
    private readonly options: ApplyOptions = DEFAULT_APPLY_OPTIONS,
    /** Null: a single process, which treats every APPLYING plan found at start-up as its own. */
    private readonly leases: ApplyLeases | null = null,
  ) {}

  async apply(by: Principal, id: string): Promise<Plan> {
    requireRole(by, 'operator', 'apply plans')
    const plan = await this.plans.get(id)
    if (!plan) throw new NodeplanError('NOT_FOUND', `no plan with id "${id}"`, { planId: id })
    refuseUnlessApplicable(plan)
    const freeze = freezeAt(this.policy.freezes, this.options.clock.now())
    if (freeze) {
      throw new NodeplanError('PLAN_NOT_APPLICABLE', `no plan is applied during the freeze from ${freeze.from.toISOString()} until ${freeze.until.toISOString()} (${freeze.reason}); apply plan ${id} after it ends`, { planId: id, freezeUntil: freeze.until.toISOString() })
    }
    if (this.policy.requireApproval.includes(plan.kind) && plan.status !== 'APPROVED') {
      throw new NodeplanError(
        'APPROVAL_REQUIRED',
        `plan ${id} (${plan.kind}) needs approval before it is applied: someone other than ${plan.createdBy} with the ${this.policy.approverRole} role must approve it: nodeplan approve ${id} (GraphQL: approvePlan)`,
        { planId: id },
      )
    }
    await this.requireRecordedApproval(plan)

    // The write is the freshness check: each patch is guarded by the node's resourceVersion (and
    // JSON-patch `test`s of exactly the plan's inputs), and a refused one is re-read and decided on
    // the live node. So the informer cache, not an extra LIST, answers the staleness check here;
    // only nodes it has not seen yet (one that just joined) are read first.
    const unseen = plan.nodes.filter((name) => !this.cache.node(name))
    if (unseen.length > 0) await this.cache.refresh(unseen, { pods: false })
    const stale = staleness(plan.inputs, (name) => this.cache.node(name))
    if (stale.length > 0) {
      // Another call (or replica) may have started this very plan meanwhile: its writes are what
      // changed the node. That call moved the plan on before it wrote anything, so say so.
      const current = await this.plans.get(id)
      if (current) refuseUnlessApplicable(current)
      const first = stale[0]!
      throw new NodeplanError(
        'PLAN_STALE',
        `plan ${id} is stale: ${stale.map((s) => s.message).join('; ')}. Discard it and plan again from the live state.`,
        { planId: id, node: first.node, field: first.field, changes: stale },
      )
    }

    // Locks, lease and the move to APPLYING are one write: a process killed right after it leaves
    // a plan whose lease (its own) is found at its restart or expires for another replica, never a
    // lock without an APPLYING plan behind it.
    const result = await this.plans.startApply(
      id,
      [plan.status],
      { appliedBy: by.subject, appliedAt: new Date(), applyOwner: this.options.owner, leaseExpiresAt: this.leaseUntil() },
      { actor: by.subject, action: 'plan.applying', planId: id, node: singleNode(plan), detail: { kind: plan.kind, nodes: plan.nodes, reason: plan.reason, approvedBy: plan.approvedBy } },
    )
    if ('moved' in result) throw notApplicable((await this.plans.get(id)) ?? plan, 'applied', APPLICABLE)
    if ('locked' in result) {
      const { node, heldBy } = result.locked
      throw new NodeplanError(
        'LOCKED',
        `node ${node} is being changed by plan ${heldBy}; wait for it to finish (query plan(id: "${heldBy}")) and apply again`,
        { node, heldBy },
      )
    }
    const started = result.started
    return this.run(started, by.subject)
  }

  /**
   * A plan marked approved must have the plan.approved event nodeplan wrote in the same transaction
   * as the approval, by the approver it names: a status or approvedBy set in the database alone is
   * not an approval. (With the audit key that event cannot be forged either; see README.)
   */
  private async requireRecordedApproval(plan: Plan): Promise<void> {
    if (plan.status !== 'APPROVED' && plan.approvedBy == null && !this.policy.requireApproval.includes(plan.kind)) return
    const approval = await this.audit.approvalOf(plan.id)
    if (approval && plan.approvedBy && approval.actor === plan.approvedBy && approval.actor !== plan.createdBy) return
    throw new NodeplanError(
      'APPROVAL_REQUIRED',
      `plan ${plan.id} (${plan.kind}) is marked approved${plan.approvedBy ? ` by ${plan.approvedBy}` : ''}, but the audit trail holds no plan.approved event that nodeplan recorded for that approval: it was not approved through nodeplan. Discard the plan and plan again.`,
      { planId: plan.id },
    )
  }

  /**
   * Finishes plans nobody is applying any more — a dead replica's, once its lease expired, or this
   * replica's own from before a restart. Changes already in their target state are recorded, not
   * written again. Every replica runs this at start-up and then periodically (startLeaseSweeper).
   */
  async resumeInterrupted(options: { atStart?: boolean } = { atStart: true }): Promise<Plan[]> {
    const resumed: Plan[] = []
    for (const plan of await this.orphans(options.atStart ?? true)) {
      const refused = await this.requireRecordedApproval(plan).then(() => null, (err: unknown) => err as Error)
      if (refused) {
        this.log.error('not resuming a plan whose approval nodeplan never recorded', { planId: plan.id, kind: plan.kind, error: refused.message })
        continue
      }
      const audit = {
        actor: 'system',
        action: 'plan.resumed',
        planId: plan.id,
        node: singleNode(plan),
        detail: { applied: plan.changes.filter((c) => c.applied).map((c) => c.address), by: this.options.owner },
      }
      if (this.leases) {
        if (!(await this.leases.take(plan.id, this.options.owner, this.options.clock.now(), this.leaseUntil(), audit))) continue
      } else {
        await this.audit.append(audit)
      }
      this.log.warn('resuming a plan interrupted mid-apply', { planId: plan.id, kind: plan.kind })
      resumed.push(await this.run(plan, 'system', true))
    }
    return resumed
  }

  /** Every `intervalMs`, takes over plans whose apply lease expired (another replica died mid-apply). */
  startLeaseSweeper(intervalMs = DEFAULT_LEASE_SWEEP_INTERVAL_MS): void {
    if (!this.leases || intervalMs <= 0 || this.sweeper) return
    this.sweeper = setInterval(() => void this.sweep(), intervalMs)
    this.sweeper.unref()
  }

  /** Stops the sweeper and waits for a sweep in progress. */
  async stopLeaseSweeper(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper)
    this.sweeper = null
    await this.sweeping
  }

  /** One periodic pass: plans whose lease expired, not this replica's own. */
  sweep(): Promise<Plan[]> {
    const pass = this.sweeping.then(() => this.resumeInterrupted({ atStart: false }))
    this.sweeping = pass.catch((err: unknown) => this.log.error('taking over plans with an expired apply lease failed', { error: err }))
    return pass
  }

  private async orphans(atStart: boolean): Promise<Plan[]> {
    if (!this.leases) return atStart ? this.plans.applying() : []
    const now = this.options.clock.now()
    const ids = await this.leases.orphaned(now, atStart ? this.options.owner : null, new Date(now.getTime() - this.options.leaseMs))
    const plans = await Promise.all(ids.filter((id) => !this.running.has(id)).map((id) => this.plans.get(id)))
    return plans.filter((plan): plan is Plan => plan !== null && plan.status === 'APPLYING')
  }

  private leaseUntil(): Date {
    return new Date(this.options.clock.now().getTime() + this.options.leaseMs)
  }

  /** Renews the plan's lease every third of its length while the apply runs. */
  private holdLease(planId: string): HeldLease {
    const leases = this.leases
    if (!leases) return { valid: () => true, release: () => {} }
    let until = this.leaseUntil()
    let lost = false
    let released = false
    const timer = setInterval(() => {
      const next = this.leaseUntil()
      leases.renew(planId, this.options.owner, next).then(
        (held) => {
          if (held) until = next
          else if (!lost && !released) {
            lost = true
            this.log.warn('another replica took over this plan; stopping here', { planId, owner: this.options.owner })
          }
        },
        (err: unknown) => this.log.warn('renewing the apply lease failed', { planId, error: err }),
      )
    }, Math.max(1, Math.floor(this.options.leaseMs / 3)))
    timer.unref()
    return {
      // Unrenewed past its end (the database unreachable), another replica may already be writing.
      valid: () => !lost && this.options.clock.now() < until,
      release: () => {
        released = true
        clearInterval(timer)
      },
    }
  }

  private async run(plan: Plan, actor: string, resuming = false): Promise<Plan> {
    this.running.add(plan.id)
    const lease = this.holdLease(plan.id)
    try {
      return await this.runHolding(plan, actor, resuming, lease)
    } finally {
      lease.release()
      this.running.delete(plan.id)
      this.recorders.delete(plan.id)
    }
  }

  private async runHolding(plan: Plan, actor: string, resuming: boolean, lease: HeldLease): Promise<Plan> {
    const byNode = new Map<string, number[]>()
    plan.changes.forEach((change, index) => {
      const list = byNode.get(change.node) ?? []
      list.push(index)
      byNode.set(change.node, list)
    })
    const queue = [...byNode.values()]
    // A worker goes on to its next node while the last record of the one before is written; the
    // records are all written before the plan is finished, and a failed one stops the workers.
    const recording: Promise<unknown>[] = []
    let recordFailed = false
    const workers = Array.from({ length: Math.min(this.options.parallelism, queue.length) }, async () => {
      for (let indexes = queue.shift(); indexes && !recordFailed; indexes = queue.shift()) {
        const { recorded } = await this.applyNode(plan, indexes, actor, lease)
        recording.push(
          recorded.then(
            () => null,
            (err: unknown) => {
              recordFailed = true
              return { err }
            },
          ),
        )
      }
    })
    await Promise.all(workers)
    const failedRecord = (await Promise.all(recording)).find((r) => r !== null) as { err: unknown } | undefined
    if (failedRecord) throw failedRecord.err
    if (!lease.valid()) {
      this.log.warn('apply lease lost: the replica that took the plan over finishes it', { planId: plan.id })
      return (await this.plans.get(plan.id))!
    }

    const after = (await this.plans.get(plan.id))!
    const failed = after.changes.filter((c) => c.action !== 'NO_OP' && !c.applied)
    const to = failed.length === 0 ? 'APPLIED' : 'FAILED'
    const finished = await this.plans.transition(plan.id, ['APPLYING'], to, {}, {
      actor,
      action: to === 'APPLIED' ? 'plan.applied' : 'plan.failed',
      planId: plan.id,
      node: singleNode(plan),
      detail: {
        kind: plan.kind,
        reason: plan.reason,
        approvedBy: plan.approvedBy,
        resumed: resuming,
        applied: after.changes.filter((c) => c.applied).length,
        failed: failed.map((c) => ({ address: c.address, error: c.error })),
      },
    })
    this.log.info(`plan ${to.toLowerCase()}`, { planId: plan.id, kind: plan.kind, failed: failed.length })
    return finished ?? after
  }

  /**
   * One node's changes in order; after a failure the rest of that node's changes are not attempted.
   * Each change is recorded before the node's next one is tried; `recorded` is the last record.
   */
  private async applyNode(plan: Plan, indexes: number[], actor: string, lease: HeldLease): Promise<{ recorded: Promise<void> }> {
    let blockedBy: string | null = null
    let recorded: Promise<void> = Promise.resolve()
    // The cache's state of the node (refreshed when the apply started) spares the writer a read
    // for the node's first write; after a write of ours the cache may not have seen it yet.
    let written = false
    for (const index of indexes) {
      const change = plan.changes[index]!
      await recorded
      if (!lease.valid()) return { recorded }
      if (change.action === 'NO_OP' || change.applied) continue
      if (blockedBy) {
        recorded = this.record(plan, index, { applied: false, error: `not attempted: ${blockedBy} failed first` }, actor)
        continue
      }
      let outcome: ApplyOutcome
      try {
        const uid = plan.inputs.find((i) => i.node === change.node)?.uid ?? null
        const known = written ? null : (this.cache.node(change.node) ?? null)
        written = true
        const annotations = drainAnnotations({ planId: plan.id, reason: plan.reason, actor: plan.appliedBy ?? actor, since: this.options.clock.now() })
        // Recorded so that whoever follows the plan sees a long retry as it happens; a failed record
        // does not fail the change.
        const onRetry = (retry: ChangeRetry) =>
          this.plans.recordRetry(plan.id, index, retry).catch((err: unknown) => this.log.warn('recording a retry failed', { planId: plan.id, address: change.address, error: err }))
        outcome = await this.writer.apply(change, { deadline: Date.now() + this.options.changeDeadlineMs, uid, known, annotations, onRetry })
      } catch (err) {
        const message = (err as Error).message || String(err)
        this.log.warn('change failed', { planId: plan.id, address: change.address, error: message })
        recorded = this.record(plan, index, { applied: false, error: message }, actor)
        blockedBy = change.address
        continue
      }
      recorded = this.record(plan, index, { applied: true, error: null }, actor, outcome)
    }
    return { recorded }
  }

  /**
   * Records a change's progress, with its audit event, before the node's next change is tried.
   * Records made while a transaction is being written wait and go together in the next one, so a
   * wide apply writes a few transactions rather than one per change.
   */
  private async record(plan: Plan, index: number, progress: { applied: boolean; error: string | null }, actor: string, outcome?: string) {
    const change = plan.changes[index]!
    await this.recorderFor(plan.id).add({
      index,
      progress,
      audit: {
        actor,
        action: progress.applied ? 'change.applied' : 'change.failed',
        planId: plan.id,
        node: change.node,
        detail: {
          address: change.address,
          action: change.action,
          before: change.before,
          after: change.after,
          ...(outcome === 'already' ? { note: 'already in the target state; nothing written' } : {}),
          ...(progress.error ? { error: progress.error } : {}),
        },
      },
    })
  }

  private recorderFor(planId: string): BatchRecorder {
    let recorder = this.recorders.get(planId)
    if (!recorder) {
      recorder = new BatchRecorder((entries) => this.plans.recordChanges(planId, entries))
      this.recorders.set(planId, recorder)
    }
    return recorder
  }
}

/** Groups records that arrive while one write is under way into the next write. */
class BatchRecorder {
  private queued: { entry: ChangeRecord; done: (err?: unknown) => void }[] = []
  private writing = false

  constructor(private readonly write: (entries: ChangeRecord[]) => Promise<void>) {}

  add(entry: ChangeRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ entry, done: (err) => (err ? reject(err) : resolve()) })
      if (!this.writing) {
        this.writing = true
        // Answers that arrived together are handled in the same turn of the event loop: their
        // records go in one write rather than one write each.
        setImmediate(() => void this.flush())
      }
    })
  }

  private async flush(): Promise<void> {
    while (this.queued.length > 0) {
      const batch = this.queued
      this.queued = []
      try {
        await this.write(batch.map((b) => b.entry))
        for (const b of batch) b.done()
      } catch (err) {
        for (const b of batch) b.done(err)
      }
    }
    this.writing = false
  }
}
