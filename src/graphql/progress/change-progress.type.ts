import { Field, ID, Int, ObjectType } from 'type-graphql'
import { ChangeType } from '../plan/change.type.js'

@ObjectType('ChangeProgress', { simpleResolvers: true, description: 'One change of a plan, as an apply recorded it (applied, or failed with its error).' })
export class ChangeProgressType {
  @Field(() => ID)
  planId!: string

  @Field(() => Int, { description: 'Its position in the plan\'s changes.' })
  index!: number

  @Field(() => ChangeType)
  change!: ChangeType
}
