import { Field, ID, Int, ObjectType } from 'type-graphql'
import { ChangeType } from '../plan/change.type.js'
import { DateTimeScalar } from '../scalars.js'

@ObjectType('ChangeProgress', { simpleResolvers: true, description: 'One change of a plan, as an apply recorded it (applied, or failed with its error, or being retried).' })
export class ChangeProgressType {
  @Field(() => ID)
  planId!: string

  @Field(() => Int, { description: 'Its position in the plan\'s changes.' })
  index!: number

  @Field(() => ChangeType)
  change!: ChangeType

  @Field(() => Int, {
    nullable: true,
    description: 'When the apply retried this change (the Kubernetes API failing): the attempt it is on, or once applied or failed the last one it made; null when it was not retried.',
  })
  attempt!: number | null

  @Field(() => String, { nullable: true, description: 'While the change is being retried: the error it is retried after. Null once it is applied or failed (change.applied, change.error).' })
  retrying!: string | null

  @Field(() => DateTimeScalar, { nullable: true, description: 'While the change is being retried: when the apply gives up on it (the attempts are bounded by this deadline, not by a count).' })
  retryingUntil!: Date | null
}
