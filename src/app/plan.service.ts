import { roleAtLeast, type Principal } from '../auth.js'
import { NodeplanError } from '../domain/errors.js'
import type { Plan, PlanDraft, PlanKind } from '../domain/plan.js'
import { notApplicable, statusesMovingTo } from '../domain/plan-status.js'
import { planDecommission, planDrain, planRejoin, planRelabel, planRollback, planUndrain } from '../domain/planner.js'
import type { NodeRole } from '../domain/roles.js'
import { staleness } from '../domain/staleness.js'
import { isValidNodeName } from '../domain/validation.js'
import { requireRole } from './access.js'
import type { Policy } from './policy.js'
import type { AuditInput, ClusterCache, Page, PlanListQuery, PlanRepository } from './ports.js'
import { requireSynced } from './cluster-state.js'

export interface PlanNodesRequest {
  nodes: string[]
  reason: string
}

export interface PlanRelabelRequest {
  node: string
  roles: NodeRole[]
  reason: string
}

const MAX_UNKNOWN_REFRESHED = 10

/** Computes plans from fresh cluster state and stores them; approves and discards them. Apply is ApplyService's. */
export class PlanService {
  constructor(
    private readonly cache: ClusterCache,
    private readonly plans: PlanRepository,
    private readonly policy: Policy,
  ) {}

  async planDrain(by: Principal, req: PlanNodesRequest): Promise<Plan> {
    requireRole(by, 'operator', 'plan a drain')
    return this.store(await this.compute(req.nodes, (s) => planDrain(s, { ...req, createdBy: by.subject })))
  }

  async planUndrain(by: Principal, req: PlanNodesRequest): Promise<Plan> {
    requireRole(by, 'operator', 'plan an undrain')
    return this.store(await this.compute(req.nodes, (s) => planUndrain(s, { ...req, createdBy: by.subject })))
  }

  async planDecommission(by: Principal, req: PlanNodesRequest): Promise<Plan> {
    requireRole(by, 'operator', 'plan a decommission')
    return this.store(await this.compute(req.nodes, (s) => planDecommission(s, { ...req, createdBy: by.subject })))
  }

  async planRejoin(by: Principal, req: PlanNodesRequest): Promise<Plan> {
    requireRole(by, 'operator', 'plan a rejoin')
    const stored: Record<string, Record<string, string>> = {}
    for (const node of new Set(req.nodes)) {
      const labels = await this.storedLabels(node)
      if (labels) stored[node] = labels
    }
    return this.store(await this.compute(req.nodes, (s) => planRejoin(s, { ...req, createdBy: by.subject, stored })))
  }

  async planRelabel(by: Principal, req: PlanRelabelRequest): Promise<Plan> {
    requireRole(by, 'operator', 'plan a relabel')
    return this.store(await this.compute([req.node], (s) => planRelabel(s, { ...req, createdBy: by.subject })))
  }

  async planRollback(by: Principal, planId: string, reason: string): Promise<Plan> {
    requireRole(by, 'operator', 'plan a rollback')
    const original = await this.get(planId)
    return this.store(await this.compute(original.nodes, (s) => planRollback(s, original, { reason, createdBy: by.subject })))
  }

  /**
   * A plan nodeplan proposes itself (unplanned downtime, rejoin); stored like any other, once per
   * `key` across replicas and restarts: null when that proposal was made before.
   */
  async propose(draft: PlanDraft, key: string): Promise<Plan | null> {
    return this.plans.createOnce(key, draft, this.createdEvent(draft))
  }

  async approve(by: Principal, id: string): Promise<Plan> {
    requireRole(by, this.policy.approverRole, 'approve plans')
    const plan = await this.get(id)
    if (plan.createdBy === by.subject) {
      throw new NodeplanError('FORBIDDEN', `${by.subject} made plan ${id} and so may not approve it: another ${this.policy.approverRole} must (four eyes)`)
    }
    const moved = await this.plans.transition(id, statusesMovingTo('APPROVED'), 'APPROVED', { approvedBy: by.subject }, {
      actor: by.subject,
      action: 'plan.approved',
      planId: id,
      node: singleNode(plan),
      detail: { kind: plan.kind, nodes: plan.nodes, reason: plan.reason, createdBy: plan.createdBy },
    })
    if (!moved) throw notApplicable((await this.find(id)) ?? plan, 'APPROVED', 'approved')
    return moved
  }

  async discard(by: Principal, id: string): Promise<Plan> {
    requireRole(by, 'operator', 'discard plans')
    const plan = await this.get(id)
    const moved = await this.plans.transition(id, statusesMovingTo('DISCARDED'), 'DISCARDED', {}, {
      actor: by.subject,
      action: 'plan.discarded',
      planId: id,
      node: singleNode(plan),
      detail: { kind: plan.kind, nodes: plan.nodes, reason: plan.reason },
    })
    if (!moved) throw notApplicable((await this.find(id)) ?? plan, 'DISCARDED', 'discarded')
    return moved
  }

  needsApproval(kind: PlanKind): boolean {
    return this.policy.requireApproval.includes(kind)
  }

  /** The plan waits for an approval this caller may give: PENDING, of a kind policy makes approved first, not theirs, and their role suffices. */
  awaitsApprovalFrom(by: Principal, plan: Pick<Plan, 'status' | 'kind' | 'createdBy'>): boolean {
    return plan.status === 'PENDING' && this.needsApproval(plan.kind) && plan.createdBy !== by.subject && roleAtLeast(by.role, this.policy.approverRole)
  }

  async get(id: string): Promise<Plan> {
    const plan = await this.find(id)
    if (!plan) throw new NodeplanError('NOT_FOUND', `no plan with id "${id}"`, { planId: id })
    return plan
  }

  find(id: string): Promise<Plan | null> {
    return this.plans.get(id)
  }

  list(query: PlanListQuery): Promise<Page<Plan>> {
    return this.plans.list(query)
  }

  async forNode(node: string, first: number): Promise<Plan[]> {
    return (await this.plans.list({ node, first })).items
  }

  /** What no longer matches the live cluster, from the cache (a plan page, not an apply, asks this). */
  staleness(plan: Plan) {
    return staleness(plan.inputs, (name) => this.cache.node(name))
  }

  /** The labels the newest decommission of `node` kept for a rejoin, or null. */
  async storedLabels(node: string): Promise<Record<string, string> | null> {
    const plan = await this.plans.lastApplied('DECOMMISSION', node)
    for (const change of plan?.changes ?? []) if (change.resource === 'NODE' && change.node === node && change.applied) return change.before?.labels ?? null
    return null
  }

  private async compute(nodes: string[], planner: (snapshot: ReturnType<ClusterCache['snapshot']>) => PlanDraft): Promise<PlanDraft> {
    requireSynced(this.cache)
    const named = [...new Set(nodes)].filter((n) => typeof n === 'string' && isValidNodeName(n))
    // Names the cache does not know are re-read too (the watch may lag a node that just joined),
    // but only a few: otherwise one request naming thousands of made-up nodes costs thousands of
    // API calls. The planner refuses any name still unknown afterwards.
    const unknown = named.filter((n) => !this.cache.node(n)).slice(0, MAX_UNKNOWN_REFRESHED)
    const refreshed = [...named.filter((n) => this.cache.node(n)), ...unknown]
    // Nodes only: what a plan depends on (taints, labels, existence); pods come from the watch.
    if (refreshed.length > 0) await this.cache.refresh(refreshed, { pods: false })
    return planner(this.cache.snapshot())
  }

  /** A plan that changes nothing is kept for the record as NO_CHANGES: nothing to approve, apply or discard. */
  private store(draft: PlanDraft): Promise<Plan> {
    const changes = draft.changes.filter((c) => c.action !== 'NO_OP').length
    const status = changes > 0 ? 'PENDING' : 'NO_CHANGES'
    return this.plans.create(draft, this.createdEvent(draft, status), status)
  }

  private createdEvent(draft: PlanDraft, status: 'PENDING' | 'NO_CHANGES' = 'PENDING'): AuditInput {
    const changes = draft.changes.filter((c) => c.action !== 'NO_OP').length
    return {
      actor: draft.createdBy,
      action: 'plan.created',
      node: draft.nodes.length === 1 ? draft.nodes[0] : null,
      detail: {
        kind: draft.kind,
        nodes: draft.nodes,
        reason: draft.reason,
        changes,
        needsApproval: status === 'PENDING' && this.needsApproval(draft.kind),
        ...(status === 'NO_CHANGES' && { status }),
      },
    }
  }
}

/** Plan-level audit events name the node when the plan has just one; change events always do. */
export function singleNode(plan: Pick<Plan, 'nodes'>): string | null {
  return plan.nodes.length === 1 ? plan.nodes[0]! : null
}
