import { Arg, Authorized, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql'
import type { Rollout } from '../../domain/rollout.js'
import type { SubscriptionContext } from '../progress/progress.resolver.js'
import { RolloutType } from './rollout.type.js'

@Resolver()
export class RolloutProgressResolver {
  @Authorized('viewer')
  @Subscription(() => RolloutType, {
    description: 'The rollout each time it changes (read from the database: works through any replica), ending when it is final.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { id: string }, SubscriptionContext>) => {
      if (!context.rolloutProgress) throw new Error('rolloutProgress is not served here')
      return context.rolloutProgress.watch(context.principal, String(args.id))
    },
  })
  rolloutProgress(@Root() rollout: Rollout, @Arg('id', () => ID) _id: string): Rollout {
    return rollout
  }
}
