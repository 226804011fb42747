import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql'
import type { Fleet } from '../../app/fleet.js'
import type { HealthSignal, SignalOutcome, SignalSeverity, SignalState } from '../../domain/health-signal.js'
import type { RequestContext } from '../context.js'
import { SignalOutcomeEnum, SignalStateEnum } from '../enums.js'
import { HealthSignalType } from './health-signal.type.js'
import { NodeHealthInput } from './node-health.input.js'

@Resolver(() => HealthSignalType)
export class SignalResolver {
  constructor(private readonly fleet: Fleet) {}

  @Authorized('operator')
  @Mutation(() => HealthSignalType, {
    description: 'Reports a health fault of a node. Policy decides: record it, propose a DRAIN plan with the evidence, or propose and apply one; the storm guard may hold a proposal back.',
  })
  reportNodeHealth(@Arg('input', () => NodeHealthInput) input: NodeHealthInput, @Ctx() ctx: RequestContext): Promise<HealthSignal> {
    return this.fleet.pick(ctx.principal, input.cluster, 'reportNodeHealth').signals.report(ctx.principal, {
      node: input.node,
      source: input.source,
      code: input.code,
      severity: input.severity as SignalSeverity,
      message: input.message ?? '',
      at: input.time ?? null,
      cleared: input.cleared ?? false,
    })
  }

  @Authorized('viewer')
  @Query(() => [HealthSignalType], { description: 'Health signals, latest first (at most 1000); outcome: HELD lists what the storm guard held back.' })
  async healthSignals(
    @Arg('state', () => SignalStateEnum, { nullable: true }) state: SignalStateEnum | null,
    @Arg('outcome', () => SignalOutcomeEnum, { nullable: true }) outcome: SignalOutcomeEnum | null,
    @Arg('node', () => String, { nullable: true }) node: string | null,
    @Ctx() ctx: RequestContext,
    @Arg('cluster', () => String, { nullable: true, description: 'The cluster; left out: every cluster the caller may see.' }) cluster?: string | null,
  ): Promise<HealthSignal[]> {
    const filter = { state: state as SignalState | null, outcome: outcome as SignalOutcome | null, node }
    const lists = await Promise.all(this.fleet.scope(ctx.principal, cluster).map((c) => c.signals.list(ctx.principal, filter)))
    // Latest first across clusters, as each cluster's list is.
    return lists.length === 1 ? lists[0]! : lists.flat().sort((a, b) => b.lastAt.getTime() - a.lastAt.getTime()).slice(0, 1000)
  }
}
