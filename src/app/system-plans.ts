// The plans nodeplan makes on its own, as SYSTEM_PRINCIPAL: for a node down too long, back again,
// registered again (LifecycleProposals) and for a health signal (SignalService). Each is proposed
// once per key, applied only where policy says so, and discarded once its reason is gone.
import type { Plan, PlanDraft, PlanKind } from '../domain/plan.js'
import type { Logger } from '../logger.js'
import type { ApplyService } from './apply.service.js'
import type { PlanService } from './plan.service.js'
import type { PlanRepository } from './ports.js'
import { SYSTEM_PRINCIPAL } from './system-principal.js'

export class SystemPlans {
  constructor(
    private readonly planService: PlanService,
    private readonly applier: ApplyService,
    private readonly plans: Pick<PlanRepository, 'pendingFor' | 'lastApplied' | 'get'>,
    private readonly log: Logger,
  ) {}

  /** Stores the draft, once per `key` (null when it was proposed before). */
  propose(draft: PlanDraft, key: string): Promise<Plan | null> {
    return this.planService.propose(draft, key)
  }

  /**
   * Applies a plan nodeplan proposed, as policy lets it. A failure is logged as `why` and leaves the
   * plan for a person; the plan is returned as it then stands.
   */
  async apply(plan: Plan, why: string, fields: Record<string, unknown>): Promise<Plan> {
    const failed = `${why}, but this one failed; it stays for a person`
    try {
      const applied = await this.applier.apply(SYSTEM_PRINCIPAL, plan.id)
      if (applied.status === 'FAILED') this.log.error(failed, { ...fields, planId: plan.id })
      return applied
    } catch (err) {
      this.log.error(failed, { ...fields, planId: plan.id, error: err })
      return (await this.plans.get(plan.id)) ?? plan
    }
  }

  /** Discards the node's pending plans of `kind` that `ours` recognises (their reason is gone); the audit trail says who did. */
  async discardPending(node: string, kind: PlanKind, ours: (plan: Plan) => boolean): Promise<void> {
    for (const plan of await this.plans.pendingFor(node, kind)) {
      if (plan.status === 'PENDING' && ours(plan)) await this.planService.discard(SYSTEM_PRINCIPAL, plan.id)
    }
  }

  pendingFor(node: string, kind: PlanKind): Promise<Plan[]> {
    return this.plans.pendingFor(node, kind)
  }

  lastApplied(kind: PlanKind, node: string): Promise<Plan | null> {
    return this.plans.lastApplied(kind, node)
  }

  needsApproval(kind: PlanKind): boolean {
    return this.planService.needsApproval(kind)
  }

  /** The roles and labels an applied DECOMMISSION kept for the node, or null. */
  storedLabels(node: string): Promise<Record<string, string> | null> {
    return this.planService.storedLabels(node)
  }
}
