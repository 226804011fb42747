import { Field, Float, Int, ObjectType } from 'type-graphql'
import { RelocationEnum, WorkloadKindEnum } from '../enums.js'

@ObjectType('Workload', { simpleResolvers: true, description: 'Pods grouped by their owner, classified as the Run:ai procedure treats them.' })
export class WorkloadType {
  @Field(() => String)
  namespace!: string

  @Field(() => String, { description: 'The owning workload (TrainingWorkload, Job, Deployment, …) or the pod itself.' })
  name!: string

  @Field(() => WorkloadKindEnum)
  kind!: WorkloadKindEnum

  @Field(() => RelocationEnum)
  relocation!: RelocationEnum

  @Field(() => String, { nullable: true, description: 'From the pods\' `project` or `runai/queue` label.' })
  project!: string | null

  @Field(() => Float, { description: 'nvidia.com/gpu requested by all its pods.' })
  gpus!: number

  @Field(() => Int)
  pods!: number
}
