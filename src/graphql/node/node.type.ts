import { Field, Float, Int, ObjectType } from 'type-graphql'
import { NodeRoleEnum } from '../enums.js'
import { LabelType } from './label.type.js'
import { TaintType } from './taint.type.js'
import { WorkloadType } from './workload.type.js'
import { KeptAsTextElement } from '../kept-as-text.js'

@ObjectType('Node', { simpleResolvers: true, description: 'A Kubernetes node as the Run:ai procedure sees it.' })
export class NodeType {
  @KeptAsTextElement()
  @Field(() => String)
  name!: string

  @KeptAsTextElement()
  @Field(() => String, { description: 'The cluster the node is in (clusters file name; "default" without one).' })
  cluster!: string

  @KeptAsTextElement()
  @Field(() => [NodeRoleEnum])
  roles!: NodeRoleEnum[]

  @KeptAsTextElement()
  @Field(() => Boolean, { description: 'The Ready condition is True.' })
  ready!: boolean

  @KeptAsTextElement()
  @Field(() => Date, { nullable: true, description: 'When the Ready condition left True; null while Ready.' })
  notReadySince!: Date | null

  @KeptAsTextElement()
  @Field(() => Boolean, { description: 'Cordoned (spec.unschedulable).' })
  unschedulable!: boolean

  @KeptAsTextElement()
  @Field(() => Boolean, { description: 'Carries the taint runai=drain:NoExecute.' })
  draining!: boolean

  @KeptAsTextElement()
  @Field(() => [TaintType])
  taints!: TaintType[]

  @KeptAsTextElement()
  @Field(() => [LabelType])
  labels!: LabelType[]

  @KeptAsTextElement()
  @Field(() => Int, { description: 'Allocatable nvidia.com/gpu.' })
  gpus!: number

  @KeptAsTextElement()
  @Field(() => Float, { description: 'nvidia.com/gpu requested by the pods running or pending on the node.' })
  gpusInUse!: number

  @KeptAsTextElement()
  @Field(() => [WorkloadType])
  workloads!: WorkloadType[]
}
