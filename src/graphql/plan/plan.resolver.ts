import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql'
import { pageCost } from '../limits.js'
import type { Fleet } from '../../app/fleet.js'
import type { PlanRepository } from '../../app/ports.js'
import type { Plan, PlanStatus } from '../../domain/plan.js'
import { renderDiff } from '../../domain/diff.js'
import { canMove } from '../../domain/plan-status.js'
import type { RequestContext } from '../context.js'
import { PlanStatusEnum } from '../enums.js'
import { firstArg, toConnection } from '../pagination.js'
import { PlanConnectionType } from './plan-connection.type.js'
import { PlanNodesInput } from './plan-nodes.input.js'
import { PlanRelabelInput } from './plan-relabel.input.js'
import { PlanType } from './plan.type.js'

@Resolver(() => PlanType)
export class PlanResolver {
  constructor(
    private readonly fleet: Fleet,
    private readonly plansById: Pick<PlanRepository, 'get' | 'list'>,
  ) {}

  /** The services of the plan's cluster (FORBIDDEN when the caller may not use it); an unknown id goes to the first cluster, which answers NOT_FOUND. */
  private async clusterOf(ctx: RequestContext, id: string, options: { reachable?: boolean } = {}) {
    const plan = await this.plansById.get(id)
    if (!plan) return this.fleet.clusters[0]!
    const cluster = this.fleet.ofPlan(ctx.principal, plan)
    if (options.reachable) this.fleet.requireReachable(cluster)
    return cluster
  }

  private servicesFor(plan: Plan) {
    return (this.fleet.clusters.find((c) => c.name === plan.cluster) ?? this.fleet.clusters[0]!).plans
  }

  @Authorized('viewer')
  @Query(() => PlanType, { nullable: true, description: 'One plan by id; null when there is none (or it is of a cluster the caller may not see).' })
  async plan(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Plan | null> {
    const plan = await this.plansById.get(id)
    return plan && this.fleet.mayUse(ctx.principal, plan.cluster) ? plan : null
  }

  @Authorized('viewer')
  @Query(() => PlanConnectionType, { complexity: pageCost, description: 'Plans, newest first, optionally by status or node.' })
  async plans(
    @Arg('status', () => [PlanStatusEnum], { nullable: true }) status: PlanStatusEnum[] | null,
    @Arg('node', () => String, { nullable: true }) node: string | null,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('cluster', () => String, { nullable: true, description: 'The cluster; left out: every cluster the caller may see.' }) cluster: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ) {
    const scope = this.fleet.scope(ctx.principal, cluster)
    // Without a clusters file (or a limit) every plan is the one cluster's: no filter, as before.
    const clusters = cluster == null && this.fleet.limits(ctx.principal) === null ? null : scope.map((c) => c.name)
    const page = await this.plansById.list({ clusters, status: status as PlanStatus[] | null, node, first: firstArg(first), after })
    return toConnection(page)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Plan the drain taint runai=drain:NoExecute on nodes.' })
  planDrain(@Arg('input', () => PlanNodesInput) input: PlanNodesInput, @Ctx() ctx: RequestContext): Promise<Plan> {
    return this.fleet.reachable(ctx.principal, input.cluster, 'planDrain').plans.planDrain(ctx.principal, input)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Plan the removal of the drain taint.' })
  planUndrain(@Arg('input', () => PlanNodesInput) input: PlanNodesInput, @Ctx() ctx: RequestContext): Promise<Plan> {
    return this.fleet.reachable(ctx.principal, input.cluster, 'planUndrain').plans.planUndrain(ctx.principal, input)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Plan the drain taint, then deletion of the nodes; their roles and labels are kept for a rejoin.' })
  planDecommission(@Arg('input', () => PlanNodesInput) input: PlanNodesInput, @Ctx() ctx: RequestContext): Promise<Plan> {
    return this.fleet.reachable(ctx.principal, input.cluster, 'planDecommission').plans.planDecommission(ctx.principal, input)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Plan restoring the roles and labels a decommission kept, once the node has joined again.' })
  planRejoin(@Arg('input', () => PlanNodesInput) input: PlanNodesInput, @Ctx() ctx: RequestContext): Promise<Plan> {
    return this.fleet.reachable(ctx.principal, input.cluster, 'planRejoin').plans.planRejoin(ctx.principal, input)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Plan setting a node\'s Run:ai roles, e.g. designating a temporary system node.' })
  planRelabel(@Arg('input', () => PlanRelabelInput) input: PlanRelabelInput, @Ctx() ctx: RequestContext): Promise<Plan> {
    return this.fleet.reachable(ctx.principal, input.cluster, 'planRelabel').plans.planRelabel(ctx.principal, input)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Plan undoing an applied plan\'s taint and label changes where nobody changed them since.' })
  async planRollback(
    @Arg('planId', () => ID) planId: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Plan> {
    return (await this.clusterOf(ctx, planId, { reachable: true })).plans.planRollback(ctx.principal, planId, reason)
  }

  // Who may approve is the policy's approverRole, checked by PlanService.approve alone; operator
  // is the least role a policy may name.
  @Authorized('operator')
  @Mutation(() => PlanType, { description: "Approve a pending plan: needs the policy's approverRole (me.approverRole; approver by default); its author may not." })
  async approvePlan(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Plan> {
    return (await this.clusterOf(ctx, id)).plans.approve(ctx.principal, id)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Apply a plan to the cluster; returns when it is APPLIED or FAILED.' })
  async applyPlan(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Plan> {
    return (await this.clusterOf(ctx, id, { reachable: true })).applier.apply(ctx.principal, id)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Discard a plan that has not been applied.' })
  async discardPlan(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Plan> {
    return (await this.clusterOf(ctx, id)).plans.discard(ctx.principal, id)
  }

  @FieldResolver(() => String, { description: 'The plan as text, as `terraform plan` shows one.' })
  diff(@Root() plan: Plan): string {
    return renderDiff(plan)
  }

  @FieldResolver(() => Boolean, { description: 'The live cluster no longer matches what the plan was computed from.' })
  stale(@Root() plan: Plan): boolean {
    // Only a plan that may still be applied can be stale.
    if (!canMove(plan.status, 'APPLYING')) return false
    return this.servicesFor(plan).staleness(plan).length > 0
  }

  @FieldResolver(() => Boolean, { description: 'Policy says a plan of this kind is approved by a second person before it is applied.' })
  needsApproval(@Root() plan: Plan): boolean {
    return this.servicesFor(plan).needsApproval(plan.kind)
  }

  @FieldResolver(() => Boolean, { description: 'The plan is PENDING, needs approval, and the caller may approve it (approver role, not its author).' })
  awaitingMyApproval(@Root() plan: Plan, @Ctx() ctx: RequestContext): boolean {
    return this.servicesFor(plan).awaitsApprovalFrom(ctx.principal, plan)
  }

  @FieldResolver(() => PlanType, { nullable: true, description: 'The plan a ROLLBACK plan undoes.' })
  rollbackOf(@Root() plan: Plan): Promise<Plan | null> | null {
    return plan.rollbackOf ? this.plansById.get(plan.rollbackOf) : null
  }
}
