import { Field, Int, ObjectType } from 'type-graphql'
import { NodeRoleEnum } from '../enums.js'

@ObjectType('RoleCount', { simpleResolvers: true, description: 'Nodes of one Run:ai role.' })
export class RoleCountType {
  @Field(() => NodeRoleEnum)
  role!: NodeRoleEnum

  @Field(() => Int)
  nodes!: number
}

@ObjectType('Cluster', { simpleResolvers: true, description: 'One cluster of the fleet, from its informer cache: what is known, and whether its API server answers.' })
export class ClusterType {
  @Field(() => String)
  name!: string

  @Field(() => Boolean, { description: 'The informer cache is in sync and the API server answers.' })
  reachable!: boolean

  @Field(() => Date, { nullable: true, description: 'When the cache last heard from the API server; with reachable=false, the age of what is known.' })
  lastSyncedAt!: Date | null

  @Field(() => String, { nullable: true, description: "The API server's gitVersion, e.g. v1.35.4; null until first reached." })
  kubernetesVersion!: string | null

  @Field(() => Int)
  nodes!: number

  @Field(() => [RoleCountType])
  nodesByRole!: RoleCountType[]

  @Field(() => Int)
  ready!: number

  @Field(() => Int)
  notReady!: number

  @Field(() => Int)
  draining!: number

  @Field(() => Int)
  gpus!: number

  @Field(() => Int, { description: 'Allocatable GPUs on Ready, undrained nodes.' })
  gpusInService!: number

  @Field(() => Int)
  gpusOutOfService!: number

  @Field(() => Int)
  plansAwaitingApproval!: number

  @Field(() => [String])
  warnings!: string[]
}
