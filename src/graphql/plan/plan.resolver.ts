import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql'
import { pageCost } from '../limits.js'
import type { ApplyService } from '../../app/apply.service.js'
import type { PlanService } from '../../app/plan.service.js'
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
    private readonly planService: PlanService,
    private readonly applier: ApplyService,
  ) {}

  @Authorized('viewer')
  @Query(() => PlanType, { nullable: true, description: 'One plan by id; null when there is none.' })
  plan(@Arg('id', () => ID) id: string): Promise<Plan | null> {
    return this.planService.find(id)
  }

  @Authorized('viewer')
  @Query(() => PlanConnectionType, { complexity: pageCost, description: 'Plans, newest first, optionally by status or node.' })
  async plans(
    @Arg('status', () => [PlanStatusEnum], { nullable: true }) status: PlanStatusEnum[] | null,
    @Arg('node', () => String, { nullable: true }) node: string | null,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ) {
    const page = await this.planService.list({ status: status as PlanStatus[] | null, node, first: firstArg(first), after })
    return toConnection(page)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Plan the drain taint runai=drain:NoExecute on nodes.' })
  planDrain(@Arg('input', () => PlanNodesInput) input: PlanNodesInput, @Ctx() ctx: RequestContext): Promise<Plan> {
    return this.planService.planDrain(ctx.principal, input)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Plan the removal of the drain taint.' })
  planUndrain(@Arg('input', () => PlanNodesInput) input: PlanNodesInput, @Ctx() ctx: RequestContext): Promise<Plan> {
    return this.planService.planUndrain(ctx.principal, input)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Plan the drain taint, then deletion of the nodes; their roles and labels are kept for a rejoin.' })
  planDecommission(@Arg('input', () => PlanNodesInput) input: PlanNodesInput, @Ctx() ctx: RequestContext): Promise<Plan> {
    return this.planService.planDecommission(ctx.principal, input)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Plan restoring the roles and labels a decommission kept, once the node has joined again.' })
  planRejoin(@Arg('input', () => PlanNodesInput) input: PlanNodesInput, @Ctx() ctx: RequestContext): Promise<Plan> {
    return this.planService.planRejoin(ctx.principal, input)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Plan setting a node\'s Run:ai roles, e.g. designating a temporary system node.' })
  planRelabel(@Arg('input', () => PlanRelabelInput) input: PlanRelabelInput, @Ctx() ctx: RequestContext): Promise<Plan> {
    return this.planService.planRelabel(ctx.principal, input)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Plan undoing an applied plan\'s taint and label changes where nobody changed them since.' })
  planRollback(
    @Arg('planId', () => ID) planId: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Plan> {
    return this.planService.planRollback(ctx.principal, planId, reason)
  }

  // Who may approve is the policy's approverRole, checked by PlanService.approve alone; operator
  // is the least role a policy may name.
  @Authorized('operator')
  @Mutation(() => PlanType, { description: "Approve a pending plan: needs the policy's approverRole (me.approverRole; approver by default); its author may not." })
  approvePlan(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Plan> {
    return this.planService.approve(ctx.principal, id)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Apply a plan to the cluster; returns when it is APPLIED or FAILED.' })
  applyPlan(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Plan> {
    return this.applier.apply(ctx.principal, id)
  }

  @Authorized('operator')
  @Mutation(() => PlanType, { description: 'Discard a plan that has not been applied.' })
  discardPlan(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Plan> {
    return this.planService.discard(ctx.principal, id)
  }

  @FieldResolver(() => String, { description: 'The plan as text, as `terraform plan` shows one.' })
  diff(@Root() plan: Plan): string {
    return renderDiff(plan)
  }

  @FieldResolver(() => Boolean, { description: 'The live cluster no longer matches what the plan was computed from.' })
  stale(@Root() plan: Plan): boolean {
    // Only a plan that may still be applied can be stale.
    if (!canMove(plan.status, 'APPLYING')) return false
    return this.planService.staleness(plan).length > 0
  }

  @FieldResolver(() => Boolean, { description: 'Policy says a plan of this kind is approved by a second person before it is applied.' })
  needsApproval(@Root() plan: Plan): boolean {
    return this.planService.needsApproval(plan.kind)
  }

  @FieldResolver(() => Boolean, { description: 'The plan is PENDING, needs approval, and the caller may approve it (approver role, not its author).' })
  awaitingMyApproval(@Root() plan: Plan, @Ctx() ctx: RequestContext): boolean {
    return this.planService.awaitsApprovalFrom(ctx.principal, plan)
  }

  @FieldResolver(() => PlanType, { nullable: true, description: 'The plan a ROLLBACK plan undoes.' })
  rollbackOf(@Root() plan: Plan): Promise<Plan | null> | null {
    return plan.rollbackOf ? this.planService.find(plan.rollbackOf) : null
  }
}
