import { Field, Float, Int, ObjectType } from 'type-graphql'
import { NodeRoleEnum } from '../enums.js'
import { LabelType } from './label.type.js'
import { TaintType } from './taint.type.js'
import { WorkloadType } from './workload.type.js'

@ObjectType('Node', { simpleResolvers: true, description: 'A Kubernetes node as the Run:ai procedure sees it.' })
export class NodeType {
  @Field(() => String)
  name!: string

  @Field(() => String, { description: 'The cluster the node is in (clusters file name; "default" without one).' })
  cluster!: string

  @Field(() => [NodeRoleEnum])
  roles!: NodeRoleEnum[]

  @Field(() => Boolean, { description: 'The Ready condition is True.' })
  ready!: boolean

  @Field(() => Date, { nullable: true, description: 'When the Ready condition left True; null while Ready.' })
  notReadySince!: Date | null

  @Field(() => Boolean, { description: 'Cordoned (spec.unschedulable).' })
  unschedulable!: boolean

  @Field(() => Boolean, { description: 'Carries the taint runai=drain:NoExecute.' })
  draining!: boolean

  @Field(() => [TaintType])
  taints!: TaintType[]

  @Field(() => [LabelType])
  labels!: LabelType[]

  @Field(() => Int, { description: 'Allocatable nvidia.com/gpu.' })
  gpus!: number

  @Field(() => Float, { description: 'nvidia.com/gpu requested by the pods running or pending on the node.' })
  gpusInUse!: number

  @Field(() => [WorkloadType])
  workloads!: WorkloadType[]
}
