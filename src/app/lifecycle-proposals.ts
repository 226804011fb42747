import type { NodeState } from '../domain/cluster.js'
import type { Plan } from '../domain/plan.js'
import { planDrain, planRejoin, planUndrain } from '../domain/planner.js'
import { isDrained } from '../domain/system-nodes.js'
import type { Logger } from '../logger.js'
import type { Policy } from './policy.js'
import type { ClusterCache } from './ports.js'
import type { SystemPlans } from './system-plans.js'
import { SYSTEM_PRINCIPAL, isUnplannedDrain } from './system-principal.js'

/**
 * The plans the node lifecycle proposes on its own: the DRAIN of a node NotReady past the grace
 * time (applied when policy says so), the UNDRAIN once it is back, the REJOIN of a decommissioned
 * node that registered again. Each proposal is keyed (SystemPlans.propose), so a second leader or
 * a repeated event never proposes it twice. DowntimeWatcher decides when to ask.
 */
export class LifecycleProposals {
  constructor(
    private readonly cache: ClusterCache,
    private readonly plans: SystemPlans,
    private readonly policy: Policy,
    private readonly log: Logger,
  ) {}

  /** Proposes a DRAIN for every node NotReady longer than the policy's grace time at `now`; returns the plans it stored. */
  async overdue(now: Date): Promise<Plan[]> {
    const graceMs = this.policy.unplannedDrainAfterSeconds * 1000
    const proposed: Plan[] = []
    for (const node of this.cache.nodeList()) {
      if (node.ready || !node.notReadySince) continue
      if (!(now.getTime() - Date.parse(node.notReadySince) > graceMs)) continue
      if (isDrained(node)) continue
      try {
        const plan = await this.proposeDrain(node, now)
        if (plan) proposed.push(plan)
      } catch (err) {
        this.log.error('could not propose the drain of a node NotReady too long', { node: node.name, error: err })
      }
    }
    return proposed
  }

  /** A node Ready again after `downSeconds` (null: unknown) NotReady: its drain proposals go; its UNDRAIN and REJOIN are proposed. */
  async back(name: string, downSeconds: number | null): Promise<void> {
    await this.discardDrainProposals(name)
    // Events queue up: decide on the node as it is now, not as the event saw it.
    const live = this.cache.node(name)
    if (!live?.ready) return
    await this.proposeUndrain(live, downSeconds)
    await this.proposeRejoin(live)
  }

  /** A node registered: if it is Ready and an applied DECOMMISSION deleted it, its REJOIN is proposed. */
  async registered(name: string): Promise<void> {
    const live = this.cache.node(name)
    if (live?.ready) await this.proposeRejoin(live)
  }

  private async proposeDrain(node: NodeState, now: Date): Promise<Plan | null> {
    const since = node.notReadySince!
    const pending = [...(await this.plans.pendingFor(node.name, 'DRAIN')), ...(await this.plans.pendingFor(node.name, 'DECOMMISSION'))]
    if (pending.length > 0) return null
    const seconds = Math.floor((now.getTime() - Date.parse(since)) / 1000)
    const reason = `unplanned downtime: ${node.name} NotReady since ${since} (${seconds} s, over ${this.policy.unplannedDrainAfterSeconds} s)`
    // One proposal per outage: keyed by the node and the start of its outage.
    const plan = await this.plans.propose(
      planDrain(this.cache.snapshot(), { nodes: [node.name], reason, createdBy: SYSTEM_PRINCIPAL.subject, changeReason: 'UNPLANNED_DOWNTIME' }),
      `drain.proposed:${node.name}:${node.uid}@${since}`,
    )
    if (!plan) return null
    this.log.warn('proposed the drain of a node NotReady too long', { node: node.name, since, planId: plan.id })
    if (!this.policy.autoApplyUnplannedDrain) return plan
    return this.plans.apply(plan, 'policy applies unplanned-downtime drains', { node: node.name })
  }

  /** A DRAIN proposed for an outage that is over no longer has a reason: it goes, and the audit trail says who discarded it. */
  private async discardDrainProposals(name: string): Promise<void> {
    await this.plans.discardPending(name, 'DRAIN', isUnplannedDrain)
  }

  private async proposeUndrain(node: NodeState, downSeconds: number | null): Promise<void> {
    if (!isDrained(node)) return
    const drain = await this.plans.lastApplied('DRAIN', node.name)
    if (!drain || !isUnplannedDrain(drain)) return
    if ((await this.plans.pendingFor(node.name, 'UNDRAIN')).length > 0) return
    const after = downSeconds === null ? '' : ` after ${downSeconds} s NotReady`
    const reason = `node back: ${node.name} Ready again${after}; lifts the unplanned-downtime drain of plan ${drain.id}`
    const plan = await this.plans.propose(
      planUndrain(this.cache.snapshot(), { nodes: [node.name], reason, createdBy: SYSTEM_PRINCIPAL.subject, changeReason: 'UNPLANNED_DOWNTIME' }),
      `undrain.proposed:${node.name}:${drain.id}`,
    )
    if (!plan) return
    this.log.info('proposed the undrain of a node Ready again', { node: node.name, planId: plan.id, drainPlanId: drain.id })
  }

  /** A node an applied DECOMMISSION deleted, registered again and Ready: propose restoring what that plan kept. */
  private async proposeRejoin(node: NodeState): Promise<void> {
    const decommission = await this.plans.lastApplied('DECOMMISSION', node.name)
    if (!decommission?.changes.some((c) => c.node === node.name && c.resource === 'NODE' && c.applied)) return
    const rejoin = await this.plans.lastApplied('REJOIN', node.name)
    if (rejoin?.appliedAt && decommission.appliedAt && rejoin.appliedAt >= decommission.appliedAt) return
    if ((await this.plans.pendingFor(node.name, 'REJOIN')).length > 0) return
    const stored = await this.plans.storedLabels(node.name)
    if (!stored) return
    const reason = `rejoin: ${node.name} registered again and is Ready; restores the roles and labels kept by decommission plan ${decommission.id}`
    const draft = planRejoin(this.cache.snapshot(), { nodes: [node.name], reason, createdBy: SYSTEM_PRINCIPAL.subject, stored: { [node.name]: stored } })
    if (draft.changes.every((c) => c.action === 'NO_OP')) return
    const plan = await this.plans.propose(draft, `rejoin.proposed:${node.name}:${decommission.id}`)
    if (!plan) return
    this.log.info('proposed the rejoin of a node registered again', { node: node.name, planId: plan.id, decommissionPlanId: decommission.id })
  }
}
