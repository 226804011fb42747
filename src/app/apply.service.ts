import type { Principal } from '../auth.js'
import { NodeplanError } from '../domain/errors.js'
import type { Plan } from '../domain/plan.js'
import { notApplicable, requireMove } from '../domain/plan-status.js'
import { staleError, staleness } from '../domain/staleness.js'
import { requireRole } from './access.js'
import type { ApplyLeaseKeeper } from './apply-lease.js'
import type { ApplyRunner } from './apply-runner.js'
import { singleNode } from './plan.service.js'
import type { Policy } from './policy.js'
import type { ClusterCache, PlanRepository } from './ports.js'
import type { RecordedApproval } from './recorded-approval.js'

function refuseUnlessApplicable(plan: Plan): void {
  requireMove(plan, 'APPLYING', 'applied')
}

/**
 * Starts applies: refuses plans that are not the caller's to apply, not approved as policy
 * requires, stale or locked; then moves the plan to APPLYING with its node locks and lease, and
 * hands it to the worker pool (apply-runner.ts), which ends it APPLIED or FAILED.
 */
export class ApplyService {
  constructor(
    private readonly cache: ClusterCache,
    private readonly plans: PlanRepository,
    private readonly policy: Pick<Policy, 'requireApproval' | 'approverRole'>,
    private readonly approval: RecordedApproval,
    private readonly leases: ApplyLeaseKeeper,
    private readonly runner: ApplyRunner,
  ) {}

  async apply(by: Principal, id: string): Promise<Plan> {
    requireRole(by, 'operator', 'apply plans')
    const plan = await this.plans.get(id)
    if (!plan) throw new NodeplanError('NOT_FOUND', `no plan with id "${id}"`, { planId: id })
    refuseUnlessApplicable(plan)
    if (this.policy.requireApproval.includes(plan.kind) && plan.status !== 'APPROVED') {
      throw new NodeplanError(
        'APPROVAL_REQUIRED',
        `plan ${id} (${plan.kind}) needs approval before it is applied: someone other than ${plan.createdBy} with the ${this.policy.approverRole} role must approve it: nodeplan approve ${id} (GraphQL: approvePlan)`,
        { planId: id },
      )
    }
    await this.approval.require(plan)

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
      throw staleError(id, stale)
    }

    // Locks, lease and the move to APPLYING are one write: a process killed right after it leaves
    // a plan whose lease (its own) is found at its restart or expires for another replica, never a
    // lock without an APPLYING plan behind it.
    const result = await this.plans.startApply(
      id,
      [plan.status],
      { appliedBy: by.subject, appliedAt: new Date(), ...this.leases.startFields() },
      { actor: by.subject, action: 'plan.applying', planId: id, node: singleNode(plan), detail: { kind: plan.kind, nodes: plan.nodes, reason: plan.reason, approvedBy: plan.approvedBy } },
    )
    if ('moved' in result) throw notApplicable((await this.plans.get(id)) ?? plan, 'APPLYING', 'applied')
    if ('locked' in result) {
      const { node, heldBy } = result.locked
      throw new NodeplanError(
        'LOCKED',
        `node ${node} is being changed by plan ${heldBy}; wait for it to finish (query plan(id: "${heldBy}")) and apply again`,
        { node, heldBy },
      )
    }
    return this.runner.run(result.started, by.subject)
  }
}
