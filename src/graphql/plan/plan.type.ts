import { Field, ID, ObjectType } from 'type-graphql'
import { PlanKindEnum, PlanStatusEnum } from '../enums.js'
import { ChangeType } from './change.type.js'
import { ImpactType } from './impact.type.js'

@ObjectType('Plan', { simpleResolvers: true, description: 'A stored, reviewable set of changes to nodes; only applyPlan touches the cluster.' })
export class PlanType {
  @Field(() => ID)
  id!: string

  @Field(() => String, { description: 'The cluster the plan changes.' })
  cluster!: string

  @Field(() => PlanKindEnum)
  kind!: PlanKindEnum

  @Field(() => PlanStatusEnum)
  status!: PlanStatusEnum

  @Field(() => String)
  reason!: string

  @Field(() => String, { description: 'The subject that made it; `system` for plans nodeplan proposed itself.' })
  createdBy!: string

  @Field(() => Date)
  createdAt!: Date

  @Field(() => String, { nullable: true })
  approvedBy!: string | null

  @Field(() => String, { nullable: true })
  appliedBy!: string | null

  @Field(() => Date, { nullable: true })
  appliedAt!: Date | null

  @Field(() => [String])
  nodes!: string[]

  @Field(() => [ChangeType], { description: 'In apply order.' })
  changes!: ChangeType[]

  @Field(() => ImpactType)
  impact!: ImpactType

  @Field(() => [String])
  warnings!: string[]

  @Field(() => ID, { nullable: true, description: 'The rollout this plan is a wave of (its DRAIN or UNDRAIN), or null.' })
  rolloutId!: string | null

  rollbackOf!: string | null
}
