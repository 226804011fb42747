import { Arg, Authorized, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql'
import type { ChangeProgressEvent, PlanProgress } from '../../app/plan-progress.js'
import type { RolloutProgress } from '../../app/rollout-progress.js'
import type { RequestContext } from '../context.js'
import { ChangeProgressType } from './change-progress.type.js'

/** Subscriptions run with this context (src/server/subscriptions.ts builds it per connection). */
export interface SubscriptionContext extends RequestContext {
  planProgress: PlanProgress
  rolloutProgress?: RolloutProgress
}

@Resolver()
export class ProgressResolver {
  @Authorized('viewer')
  @Subscription(() => ChangeProgressType, {
    description: 'Each change of the plan as it is applied (those already applied first); completes when the plan is APPLIED, FAILED or DISCARDED. Read from the stored plan, so it works through any replica.',
    // type-graphql's subscribe functions do not see resolver instances, hence the context.
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { id: string }, SubscriptionContext>) => context.planProgress.watch(context.principal, String(args.id)),
  })
  planProgress(@Root() event: ChangeProgressEvent, @Arg('id', () => ID) _id: string): ChangeProgressEvent {
    return event
  }
}
