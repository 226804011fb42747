// The worker pool of an apply: writes a started plan's changes node by node, records each one,
// and ends the plan APPLIED or FAILED — while this process holds the plan's apply lease.
import { drainAnnotations } from '../domain/drain-annotations.js'
import type { ChangeProgress, ChangeRetry, Plan } from '../domain/plan.js'
import type { Logger } from '../logger.js'
import type { ApplyLeaseKeeper, HeldLease, LeaseOptions } from './apply-lease.js'
import { ChangeRecorder } from './change-recorder.js'
import { singleNode } from './plan.service.js'
import type { ApplyOutcome, ClusterCache, NodeWriter, PlanRepository } from './ports.js'
import { PROCESS_IDENTITY } from './process-identity.js'

export interface RunnerOptions {
  /** Nodes written at once. */
  parallelism: number
  /** How long one change may keep retrying a failing API server. */
  changeDeadlineMs: number
}

export type ApplyOptions = RunnerOptions & LeaseOptions

export const DEFAULT_APPLY_OPTIONS: ApplyOptions = {
  parallelism: 16,
  changeDeadlineMs: 30_000,
  leaseMs: 30_000,
  owner: PROCESS_IDENTITY,
  clock: { now: () => new Date() },
}

export class ApplyRunner {
  /** Plans this process is applying right now. */
  private readonly active = new Set<string>()

  constructor(
    private readonly cache: ClusterCache,
    private readonly writer: NodeWriter,
    private readonly plans: PlanRepository,
    private readonly leases: ApplyLeaseKeeper,
    private readonly log: Logger,
    private readonly options: RunnerOptions,
  ) {}

  /** Whether this process is applying the plan now. */
  running(planId: string): boolean {
    return this.active.has(planId)
  }

  /** Applies an APPLYING plan whose lease this process holds; `resuming`: taken over after a crash. */
  async run(plan: Plan, actor: string, resuming = false): Promise<Plan> {
    this.active.add(plan.id)
    const lease = this.leases.hold(plan.id)
    const recorder = new ChangeRecorder((entries) => this.plans.recordChanges(plan.id, entries))
    try {
      return await this.runHolding(plan, actor, resuming, lease, recorder)
    } finally {
      lease.release()
      this.active.delete(plan.id)
    }
  }

  private async runHolding(plan: Plan, actor: string, resuming: boolean, lease: HeldLease, recorder: ChangeRecorder): Promise<Plan> {
    const byNode = new Map<string, number[]>()
    plan.changes.forEach((change, index) => {
      const list = byNode.get(change.node) ?? []
      list.push(index)
      byNode.set(change.node, list)
    })
    const queue = [...byNode.values()]
    // What this apply recorded, change by change: only the lease holder records a plan's changes,
    // so with what the plan held when it started this is the plan's state, without reading it again.
    const progress = plan.changes.map((c): ChangeProgress => ({ applied: c.applied, error: c.error }))
    const record = (index: number, outcome: ChangeProgress, note?: ApplyOutcome) => {
      progress[index] = outcome
      return this.record(recorder, plan, index, outcome, actor, note)
    }
    // A worker goes on to its next node while the last record of the one before is written; a
    // failed record stops the workers.
    const workers = Array.from({ length: Math.min(this.options.parallelism, queue.length) }, async () => {
      for (let indexes = queue.shift(); indexes && !recorder.failed; indexes = queue.shift()) {
        const { recorded } = await this.applyNode(plan, indexes, actor, lease, record)
        // Its failure is the recorder's, which finish() below throws.
        recorded.catch(() => {})
      }
    })
    await Promise.all(workers)

    const failed = plan.changes.flatMap((c, i) => (c.action !== 'NO_OP' && !progress[i]!.applied ? [{ address: c.address, error: progress[i]!.error }] : []))
    const to = failed.length === 0 ? 'APPLIED' : 'FAILED'
    const audit = {
      actor,
      action: to === 'APPLIED' ? 'plan.applied' : 'plan.failed',
      planId: plan.id,
      node: singleNode(plan),
      detail: { kind: plan.kind, reason: plan.reason, approvedBy: plan.approvedBy, resumed: resuming, applied: progress.filter((p) => p.applied).length, failed },
    }
    // The records still waiting and the end of the plan go in one transaction.
    const finished = await recorder.finish(async (entries) => {
      if (lease.valid()) return this.plans.finishApply(plan.id, entries, to, audit)
      if (entries.length > 0) await this.plans.recordChanges(plan.id, entries)
      this.log.warn('apply lease lost: the replica that took the plan over finishes it', { planId: plan.id })
      return null
    })
    if (finished?.status === to) this.log.info(`plan ${to.toLowerCase()}`, { planId: plan.id, kind: plan.kind, failed: failed.length })
    return finished ?? (await this.plans.get(plan.id))!
  }

  /**
   * One node's changes in order; after a failure the rest of that node's changes are not attempted.
   * Each change is recorded before the node's next one is tried; `recorded` is the last record.
   */
  private async applyNode(
    plan: Plan,
    indexes: number[],
    actor: string,
    lease: HeldLease,
    record: (index: number, outcome: ChangeProgress, note?: ApplyOutcome) => Promise<void>,
  ): Promise<{ recorded: Promise<void> }> {
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
        recorded = record(index, { applied: false, error: `not attempted: ${blockedBy} failed first` })
        continue
      }
      let outcome: ApplyOutcome
      try {
        const uid = plan.inputs.find((i) => i.node === change.node)?.uid ?? null
        const known = written ? null : (this.cache.node(change.node) ?? null)
        written = true
        const annotations = drainAnnotations({ planId: plan.id, reason: plan.reason, actor: plan.appliedBy ?? actor, since: this.leases.options.clock.now() })
        // Recorded so that whoever follows the plan sees a long retry as it happens; a failed record
        // does not fail the change.
        const onRetry = (retry: ChangeRetry) =>
          this.plans.recordRetry(plan.id, index, retry).catch((err: unknown) => this.log.warn('recording a retry failed', { planId: plan.id, address: change.address, error: err }))
        outcome = await this.writer.apply(change, { deadline: Date.now() + this.options.changeDeadlineMs, uid, known, annotations, onRetry })
      } catch (err) {
        const message = (err as Error).message || String(err)
        this.log.warn('change failed', { planId: plan.id, address: change.address, error: message })
        recorded = record(index, { applied: false, error: message })
        blockedBy = change.address
        continue
      }
      recorded = record(index, { applied: true, error: null }, outcome)
    }
    return { recorded }
  }

  /** Records a change's progress, with its audit event, before the node's next change is tried. */
  private async record(recorder: ChangeRecorder, plan: Plan, index: number, progress: ChangeProgress, actor: string, outcome?: ApplyOutcome): Promise<void> {
    const change = plan.changes[index]!
    await recorder.add({
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
}
