import { Field, ID, Int, ObjectType } from 'type-graphql'
import { SignalOutcomeEnum, SignalSeverityEnum, SignalStateEnum } from '../enums.js'

@ObjectType('HealthSignal', { simpleResolvers: true, description: 'A health fault of a node, one per node, source and code.' })
export class HealthSignalType {
  @Field(() => String, { description: 'The cluster the node is in.' })
  cluster!: string

  @Field(() => String)
  node!: string

  @Field(() => String)
  source!: string

  @Field(() => String)
  code!: string

  @Field(() => SignalSeverityEnum)
  severity!: SignalSeverityEnum

  @Field(() => String, { description: 'The latest report\'s message.' })
  message!: string

  @Field(() => Date, { description: 'The first report of this episode of the fault.' })
  firstAt!: Date

  @Field(() => Date)
  lastAt!: Date

  @Field(() => Int, { description: 'Reports of this episode.' })
  count!: number

  @Field(() => SignalStateEnum)
  state!: SignalStateEnum

  @Field(() => SignalOutcomeEnum)
  outcome!: SignalOutcomeEnum

  @Field(() => ID, { nullable: true, description: 'The DRAIN plan proposed for it.' })
  planId!: string | null
}
