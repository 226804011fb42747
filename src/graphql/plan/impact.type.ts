import { Field, Int, ObjectType } from 'type-graphql'
import { WorkloadType } from '../node/workload.type.js'

@ObjectType('Impact', { simpleResolvers: true, description: 'What applying the plan does to the cluster\'s capacity and workloads.' })
export class ImpactType {
  @Field(() => Int)
  nodes!: number

  @Field(() => Int, { description: 'GPUs taken out of service.' })
  gpus!: number

  @Field(() => [WorkloadType], { description: 'Evicted and rescheduled by the scheduler (training, inference).' })
  automaticallyRescheduled!: WorkloadType[]

  @Field(() => [WorkloadType], { description: 'Evicted; a person must resubmit them (interactive, build).' })
  manualRelocation!: WorkloadType[]

  @Field(() => Int)
  readySystemNodesAfter!: number

  @Field(() => Int, { description: 'Drained nodes the plan returns to service (their drain taint removed): what an undrain is for.' })
  nodesReturningToService!: number

  @Field(() => Int, { description: 'GPUs of those nodes, back in service.' })
  gpusReturningToService!: number
}
