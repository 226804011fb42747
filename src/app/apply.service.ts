import { EventEmitter } from 'node:events'
import type { Principal } from '../auth.js'
import { NodeplanError } from '../domain/errors.js'
import type { Plan, PlannedChange } from '../domain/plan.js'
import { staleness } from '../domain/staleness.js'
import type { Logger } from '../logger.js'
import { requireRole } from './access.js'
import { notApplicable, singleNode } from './plan.service.js'
import type { Policy } from './policy.js'
import type { AuditRepository, ClusterCache, NodeWriter, PlanRepository } from './ports.js'

export interface ApplyOptions {
  /** Nodes written at once. */
  parallelism: number
  /** How long one change may keep retrying a failing API server. */
  changeDeadlineMs: number
}

export const DEFAULT_APPLY_OPTIONS: ApplyOptions = { parallelism: 16, changeDeadlineMs: 30_000 }

export interface ChangeProgressEvent {
  planId: string
  index: number
  change: PlannedChange
}

/**
 * Applies stored plans: refuses stale or locked ones, writes each change exactly once,
 * records progress per change, and ends every plan APPLIED or FAILED.
 */
export class ApplyService {
  private readonly progress = new EventEmitter()

  constructor(
    private readonly cache: ClusterCache,
    private readonly writer: NodeWriter,
    private readonly plans: PlanRepository,
    private readonly audit: AuditRepository,
    private readonly policy: Policy,
    private readonly log: Logger,
    private readonly options: ApplyOptions = DEFAULT_APPLY_OPTIONS,
  ) {
    this.progress.setMaxListeners(0)
  }

  async apply(by: Principal, id: string): Promise<Plan> {
    requireRole(by, 'operator', 'apply plans')
    const plan = await this.plans.get(id)
    if (!plan) throw new NodeplanError('NOT_FOUND', `no plan with id "${id}"`, { planId: id })
    if (plan.status !== 'PENDING' && plan.status !== 'APPROVED') throw notApplicable(plan, 'applied', ['PENDING', 'APPROVED'])
    if (this.policy.requireApproval.includes(plan.kind) && plan.status !== 'APPROVED') {
      throw new NodeplanError(
        'APPROVAL_REQUIRED',
        `plan ${id} (${plan.kind}) needs approval before it is applied: someone other than ${plan.createdBy} with the ${this.policy.approverRole} role must run approvePlan`,
        { planId: id },
      )
    }

    await this.cache.refresh(plan.nodes)
    const stale = staleness(plan.inputs, (name) => this.cache.node(name))
    if (stale.length > 0) {
      const first = stale[0]!
      throw new NodeplanError(
        'PLAN_STALE',
        `plan ${id} is stale: ${stale.map((s) => s.message).join('; ')}. Discard it and plan again from the live state.`,
        { planId: id, node: first.node, field: first.field, changes: stale },
      )
    }

    await this.lock(plan)
    const started = await this.plans.transition(id, [plan.status], 'APPLYING', { appliedBy: by.subject, appliedAt: new Date() }, {
      actor: by.subject,
      action: 'plan.applying',
      planId: id,
      node: singleNode(plan),
      detail: { kind: plan.kind, nodes: plan.nodes },
    })
    if (!started) {
      await this.plans.unlockNodes(id)
      throw notApplicable((await this.plans.get(id)) ?? plan, 'applied', ['PENDING', 'APPROVED'])
    }
    return this.run(started, by.subject)
  }

  /** Finishes plans a dead process left APPLYING: changes already in their target state are recorded, not written again. */
  async resumeInterrupted(): Promise<Plan[]> {
    const resumed: Plan[] = []
    for (const plan of await this.plans.applying()) {
      this.log.warn('resuming a plan interrupted mid-apply', { planId: plan.id, kind: plan.kind })
      await this.audit.append({
        actor: 'system',
        action: 'plan.resumed',
        planId: plan.id,
        node: singleNode(plan),
        detail: { applied: plan.changes.filter((c) => c.applied).map((c) => c.address) },
      })
      resumed.push(await this.run(plan, 'system', true))
    }
    return resumed
  }

  onProgress(planId: string, listener: (event: ChangeProgressEvent) => void): () => void {
    this.progress.on(planId, listener)
    return () => this.progress.off(planId, listener)
  }

  private async lock(plan: Plan): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const locked = await this.plans.lockNodes(plan.id, plan.nodes)
      if (locked.ok) return
      if (locked.heldBy === plan.id) throw notApplicable({ ...plan, status: 'APPLYING' }, 'applied', ['PENDING', 'APPROVED'])
      const holder = await this.plans.get(locked.heldBy)
      if (holder && holder.status !== 'APPLYING') {
        // A process died between taking the locks and starting the plan: the lock protects nothing.
        await this.plans.unlockNodes(holder.id)
        continue
      }
      throw new NodeplanError(
        'LOCKED',
        `node ${locked.node} is being changed by plan ${locked.heldBy}; wait for it to finish (query plan(id: "${locked.heldBy}")) and apply again`,
        { node: locked.node, heldBy: locked.heldBy },
      )
    }
    throw new NodeplanError('LOCKED', `the nodes of plan ${plan.id} are locked by another plan; apply again`, { planId: plan.id })
  }

  private async run(plan: Plan, actor: string, resuming = false): Promise<Plan> {
    const byNode = new Map<string, number[]>()
    plan.changes.forEach((change, index) => {
      const list = byNode.get(change.node) ?? []
      list.push(index)
      byNode.set(change.node, list)
    })
    const queue = [...byNode.values()]
    const workers = Array.from({ length: Math.min(this.options.parallelism, queue.length) }, async () => {
      for (let indexes = queue.shift(); indexes; indexes = queue.shift()) await this.applyNode(plan, indexes, actor)
    })
    await Promise.all(workers)

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
        resumed: resuming,
        applied: after.changes.filter((c) => c.applied).length,
        failed: failed.map((c) => ({ address: c.address, error: c.error })),
      },
    })
    await this.plans.unlockNodes(plan.id)
    this.log.info(`plan ${to.toLowerCase()}`, { planId: plan.id, kind: plan.kind, failed: failed.length })
    return finished ?? after
  }

  /** One node's changes in order; after a failure the rest of that node's changes are not attempted. */
  private async applyNode(plan: Plan, indexes: number[], actor: string): Promise<void> {
    let blockedBy: string | null = null
    for (const index of indexes) {
      const change = plan.changes[index]!
      if (change.action === 'NO_OP' || change.applied) continue
      if (blockedBy) {
        await this.record(plan, index, { applied: false, error: `not attempted: ${blockedBy} failed first` }, actor)
        continue
      }
      try {
        const outcome = await this.writer.apply(change, { deadline: Date.now() + this.options.changeDeadlineMs })
        await this.record(plan, index, { applied: true, error: null }, actor, outcome)
      } catch (err) {
        const message = (err as Error).message || String(err)
        this.log.warn('change failed', { planId: plan.id, address: change.address, error: message })
        await this.record(plan, index, { applied: false, error: message }, actor)
        blockedBy = change.address
      }
    }
  }

  private async record(plan: Plan, index: number, progress: { applied: boolean; error: string | null }, actor: string, outcome?: string) {
    const change = plan.changes[index]!
    await this.plans.recordChange(plan.id, index, progress, {
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
    })
    this.progress.emit(plan.id, { planId: plan.id, index, change: { ...change, ...progress } } satisfies ChangeProgressEvent)
  }
}
