import { Field, Int, ObjectType } from 'type-graphql'
import { ImpactType } from '../plan/impact.type.js'
import { RolloutNodeStageEnum, WaveStatusEnum } from './rollout.enums.js'

@ObjectType('PoolGuard', { simpleResolvers: true, description: 'One node pool under the guard.' })
export class PoolGuardType {
  @Field(() => String)
  pool!: string

  @Field(() => Int)
  gpusInService!: number

  @Field(() => Int, { nullable: true, description: 'Its floor, when the rollout gave one.' })
  minGpusInService!: number | null
}

@ObjectType('WaveGuard', { simpleResolvers: true, description: "The capacity guard's figures for one wave: what holds while that wave's nodes are out." })
export class WaveGuardType {
  @Field(() => Int)
  nodesOut!: number

  @Field(() => Int)
  maxUnavailable!: number

  @Field(() => Int)
  gpusInService!: number

  @Field(() => Int)
  minGpusInService!: number

  @Field(() => Int)
  readySystemNodes!: number

  @Field(() => [PoolGuardType])
  pools!: PoolGuardType[]

  @Field(() => Boolean, { description: 'False when the guard holds this wave back (at planning or now); reason says which figure.' })
  satisfied!: boolean

  @Field(() => String, { nullable: true })
  reason!: string | null
}

@ObjectType('RolloutNode', { simpleResolvers: true, description: 'One node of a rollout and its stage.' })
export class RolloutNodeType {
  @Field(() => String)
  name!: string

  @Field(() => String, { nullable: true })
  pool!: string | null

  @Field(() => RolloutNodeStageEnum)
  stage!: RolloutNodeStageEnum

  @Field(() => Int)
  gpus!: number

  @Field(() => Date, { nullable: true })
  drainedAt!: Date | null

  @Field(() => Date, { nullable: true })
  maintenanceDoneAt!: Date | null

  @Field(() => String, { nullable: true, description: "completeMaintenance's subject, or `reboot` when the bootID changed." })
  maintenanceDoneBy!: string | null

  @Field(() => Date, { nullable: true })
  returnedAt!: Date | null

  @Field(() => String, { nullable: true })
  error!: string | null
}

@ObjectType('RolloutWave', { description: 'Nodes drained, maintained and returned to service together.' })
export class RolloutWaveType {
  @Field(() => Int)
  index!: number

  @Field(() => WaveStatusEnum)
  status!: WaveStatusEnum

  @Field(() => [RolloutNodeType])
  nodes!: RolloutNodeType[]

  @Field(() => ImpactType, { description: "What draining this wave does, as a DRAIN plan's impact." })
  impact!: ImpactType

  @Field(() => WaveGuardType, { description: 'The guard as planned; while the wave waits for the guard, as it stands now.' })
  guard!: WaveGuardType

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null
}
