import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql'
import type { SignalService } from '../../app/signal.service.js'
import type { HealthSignal, SignalOutcome, SignalSeverity, SignalState } from '../../domain/health-signal.js'
import type { RequestContext } from '../context.js'
import { SignalOutcomeEnum, SignalStateEnum } from '../enums.js'
import { HealthSignalType } from './health-signal.type.js'
import { NodeHealthInput } from './node-health.input.js'

@Resolver(() => HealthSignalType)
export class SignalResolver {
  constructor(private readonly signals: SignalService) {}

  @Authorized('operator')
  @Mutation(() => HealthSignalType, {
    description: 'Reports a health fault of a node. Policy decides: record it, propose a DRAIN plan with the evidence, or propose and apply one; the storm guard may hold a proposal back.',
  })
  reportNodeHealth(@Arg('input', () => NodeHealthInput) input: NodeHealthInput, @Ctx() ctx: RequestContext): Promise<HealthSignal> {
    return this.signals.report(ctx.principal, {
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
  healthSignals(
    @Arg('state', () => SignalStateEnum, { nullable: true }) state: SignalStateEnum | null,
    @Arg('outcome', () => SignalOutcomeEnum, { nullable: true }) outcome: SignalOutcomeEnum | null,
    @Arg('node', () => String, { nullable: true }) node: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<HealthSignal[]> {
    return this.signals.list(ctx.principal, { state: state as SignalState | null, outcome: outcome as SignalOutcome | null, node })
  }
}
