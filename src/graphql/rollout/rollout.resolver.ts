import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql'
import type { PlanRepository } from '../../app/ports.js'
import type { RolloutService } from '../../app/rollout.service.js'
import { nextOpening, openWindowAt } from '../../domain/maintenance-window.js'
import type { Plan } from '../../domain/plan.js'
import { renderRolloutDiff } from '../../domain/rollout-diff.js'
import type { RolloutForecast } from '../../domain/rollout-forecast.js'
import { currentWave, type Rollout, type RolloutStatus, type RolloutWave } from '../../domain/rollout.js'
import type { RequestContext } from '../context.js'
import { firstArg, toConnection } from '../pagination.js'
import { PlanType } from '../plan/plan.type.js'
import { RolloutStatusEnum } from './rollout.enums.js'
import { RolloutInput } from './rollout.input.js'
import { RolloutWaveType } from './rollout-wave.type.js'
import { MaintenanceWindowType, RolloutConnectionType, RolloutForecastType, RolloutType } from './rollout.type.js'

@Resolver(() => RolloutType)
export class RolloutResolver {
  constructor(private readonly service: RolloutService) {}

  @Authorized('viewer')
  @Query(() => RolloutType, { nullable: true, description: 'One rollout by id; null when there is none.' })
  async rollout(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Rollout | null> {
    return this.service.find(ctx.principal, id)
  }

  @Authorized('viewer')
  @Query(() => RolloutConnectionType, { description: "Rollouts, newest first, optionally by status; of the named cluster, or of every cluster the caller's token covers." })
  async rollouts(
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('status', () => [RolloutStatusEnum], { nullable: true }) status: RolloutStatusEnum[] | null,
    @Arg('cluster', () => String, { nullable: true }) cluster: string | null,
    @Ctx() ctx: RequestContext,
  ) {
    return toConnection(await this.service.list(ctx.principal, { status: status as RolloutStatus[] | null, first: firstArg(first), after }, cluster ?? null))
  }

  @Authorized('operator')
  @Mutation(() => RolloutType, { description: 'Plan maintenance of many nodes in waves under a capacity guard; stored PENDING for review.' })
  planRollout(@Arg('input', () => RolloutInput) input: RolloutInput, @Ctx() ctx: RequestContext): Promise<Rollout> {
    const { cluster, ...request } = input
    return this.service.plan(ctx.principal, request, cluster ?? null)
  }

  // Who may approve is the policy's approverRole, checked by the service.
  @Authorized('operator')
  @Mutation(() => RolloutType, { description: "Approve a pending rollout: needs the policy's approverRole; its author may not. The approval covers every wave's plans." })
  approveRollout(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Rollout> {
    return this.service.approve(ctx.principal, id)
  }

  @Authorized('operator')
  @Mutation(() => RolloutType, { description: 'Starts it (it then waits for notBefore / its window by itself).' })
  startRollout(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Rollout> {
    return this.service.start(ctx.principal, id)
  }

  @Authorized('operator')
  @Mutation(() => RolloutType, { description: 'No new step starts until resumeRollout; drained nodes stay as they are.' })
  pauseRollout(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Rollout> {
    return this.service.pause(ctx.principal, id)
  }

  @Authorized('operator')
  @Mutation(() => RolloutType, { description: 'Goes on from where it was paused.' })
  resumeRollout(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Rollout> {
    return this.service.resume(ctx.principal, id)
  }

  @Authorized('operator')
  @Mutation(() => RolloutType, { description: 'Stops it for good: nodes not yet drained are skipped; drained nodes stay drained (leftDrained).' })
  abortRollout(@Arg('id', () => ID) id: string, @Arg('reason', () => String) reason: string, @Ctx() ctx: RequestContext): Promise<Rollout> {
    return this.service.abort(ctx.principal, id, reason)
  }

  @Authorized('operator')
  @Mutation(() => RolloutType, { description: 'Discard a rollout that has not started.' })
  discardRollout(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Rollout> {
    return this.service.discard(ctx.principal, id)
  }

  @Authorized('operator')
  @Mutation(() => RolloutType, { description: 'The maintenance of this node is done (by a person or a job).' })
  completeMaintenance(@Arg('rolloutId', () => ID) rolloutId: string, @Arg('node', () => String) node: string, @Ctx() ctx: RequestContext): Promise<Rollout> {
    return this.service.completeMaintenance(ctx.principal, rolloutId, node)
  }

  @FieldResolver(() => Boolean, { description: 'Policy asks a second person to approve rollouts (it does when DRAIN or UNDRAIN plans need approval).' })
  needsApproval(): boolean {
    return this.service.needsApproval()
  }

  @FieldResolver(() => Boolean, { description: 'The rollout is PENDING, needs approval, and the caller may approve it.' })
  awaitingMyApproval(@Root() rollout: Rollout, @Ctx() ctx: RequestContext): boolean {
    return this.service.awaitsApprovalFrom(ctx.principal, rollout)
  }

  @FieldResolver(() => MaintenanceWindowType, { nullable: true })
  window(@Root() rollout: Rollout): MaintenanceWindowType | null {
    if (!rollout.window) return null
    const now = this.service.now()
    return { ...rollout.window, nextOpensAt: nextOpening(rollout.window, now), open: openWindowAt(rollout.window, now) !== null }
  }

  @FieldResolver(() => Int, { nullable: true, description: 'The wave running now (or next); null when none is left.' })
  currentWave(@Root() rollout: Rollout): number | null {
    if (['COMPLETED', 'FAILED', 'ABORTED', 'DISCARDED'].includes(rollout.status)) return null
    return currentWave(rollout)?.index ?? null
  }

  @FieldResolver(() => String, { description: 'The rollout as text, wave by wave, as `terraform plan` shows one: changes, impact, guard figures.' })
  diff(@Root() rollout: Rollout): string {
    return renderRolloutDiff(rollout)
  }

  @FieldResolver(() => RolloutForecastType)
  forecast(@Root() rollout: Rollout): Promise<RolloutForecast> {
    return this.service.forecast(rollout)
  }
}

@Resolver(() => RolloutWaveType)
export class RolloutWaveResolver {
  /** Plans of every cluster, by id: a wave's plans are of its rollout's cluster. */
  constructor(private readonly planReader: Pick<PlanRepository, 'get'>) {}

  @FieldResolver(() => [PlanType], { description: "The wave's ordinary plans (its DRAIN, its UNDRAIN) once made." })
  async plans(@Root() wave: RolloutWave): Promise<Plan[]> {
    const ids = [wave.gracePlanId, wave.drainPlanId, wave.undrainPlanId].filter((id): id is string => id !== null)
    const plans = await Promise.all(ids.map((id) => this.planReader.get(id)))
    return plans.filter((p): p is Plan => p !== null)
  }
}
