import { Field, Float, Int, ObjectType } from 'type-graphql'
import { RelocationEnum, WorkloadKindEnum } from '../enums.js'
import { KeptAsTextElement } from '../kept-as-text.js'

@ObjectType('Workload', { simpleResolvers: true, description: 'Pods grouped by their owner, classified as the Run:ai procedure treats them.' })
export class WorkloadType {
  @KeptAsTextElement()
  @Field(() => String)
  namespace!: string

  @KeptAsTextElement()
  @Field(() => String, { description: 'The owning workload (TrainingWorkload, Job, Deployment, …) or the pod itself.' })
  name!: string

  @KeptAsTextElement()
  @Field(() => WorkloadKindEnum)
  kind!: WorkloadKindEnum

  @KeptAsTextElement()
  @Field(() => RelocationEnum)
  relocation!: RelocationEnum

  @KeptAsTextElement()
  @Field(() => String, { nullable: true, description: 'From the pods\' `project` or `runai/queue` label.' })
  project!: string | null

  @KeptAsTextElement()
  @Field(() => Float, { description: 'nvidia.com/gpu requested by all its pods.' })
  gpus!: number

  @KeptAsTextElement()
  @Field(() => Int)
  pods!: number
}
