import { Field, ID, Int, ObjectType } from 'type-graphql'
import { PageInfoType } from '../page-info.type.js'
import { DrainModeEnum, RolloutStatusEnum } from './rollout.enums.js'
import { RolloutWaveType } from './rollout-wave.type.js'

@ObjectType('MaintenanceWindow', { description: 'A recurring window waves start in.' })
export class MaintenanceWindowType {
  @Field(() => String)
  cron!: string

  @Field(() => Int)
  durationMinutes!: number

  @Field(() => String)
  timeZone!: string

  @Field(() => Date, { nullable: true, description: 'When it next opens (now, when it is open).' })
  nextOpensAt!: Date | null

  @Field(() => Boolean)
  open!: boolean
}

@ObjectType('RolloutForecast', { simpleResolvers: true, description: 'How long the rollout will take and when it ends.' })
export class RolloutForecastType {
  @Field(() => Int, { description: 'Seconds per node, measured from the audit trail (median of past rollouts), or the default when there is no history.' })
  drainSeconds!: number

  @Field(() => Int)
  maintenanceSeconds!: number

  @Field(() => Int, { description: 'How many measured nodes the figures come from; 0 means defaults.' })
  samples!: number

  @Field(() => Int, { description: 'Remaining time of work, windows aside.' })
  remainingSeconds!: number

  @Field(() => Date, { nullable: true, description: 'When the last wave is expected to finish, given the windows.' })
  endsAt!: Date | null
}

@ObjectType('Rollout', { description: 'Maintenance of many nodes in waves under a capacity guard: an ordinary audited DRAIN and UNDRAIN plan per wave underneath.' })
export class RolloutType {
  @Field(() => ID)
  id!: string

  @Field(() => String)
  cluster!: string

  @Field(() => RolloutStatusEnum)
  status!: RolloutStatusEnum

  @Field(() => String)
  reason!: string

  @Field(() => String)
  createdBy!: string

  @Field(() => Date)
  createdAt!: Date

  @Field(() => String, { nullable: true })
  approvedBy!: string | null

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null

  @Field(() => DrainModeEnum)
  drainMode!: DrainModeEnum

  @Field(() => Int)
  drainTimeoutSeconds!: number

  @Field(() => Int, { description: 'At most this many nodes out at once (a percentage resolved to a count).' })
  maxUnavailable!: number

  @Field(() => Int)
  minGpusInService!: number

  @Field(() => String)
  poolLabel!: string

  @Field(() => Date, { nullable: true })
  notBefore!: Date | null

  @Field(() => [RolloutWaveType])
  waves!: RolloutWaveType[]

  @Field(() => String, { nullable: true, description: 'What it waits for now, in a sentence (a window, a node\'s maintenance, the guard, a person); null when not waiting.' })
  waitingFor!: string | null

  @Field(() => String, { nullable: true })
  error!: string | null

  @Field(() => [String], { description: 'Nodes an abort or a failure left drained.' })
  leftDrained!: string[]

  @Field(() => [String])
  warnings!: string[]
}

@ObjectType('RolloutEdge', { simpleResolvers: true })
export class RolloutEdgeType {
  @Field(() => String)
  cursor!: string

  @Field(() => RolloutType)
  node!: RolloutType
}

@ObjectType('RolloutConnection', { simpleResolvers: true, description: 'Rollouts, newest first.' })
export class RolloutConnectionType {
  @Field(() => [RolloutEdgeType])
  edges!: RolloutEdgeType[]

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType

  @Field(() => Int)
  totalCount!: number
}
