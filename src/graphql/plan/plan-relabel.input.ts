import { Field, InputType } from 'type-graphql'
import { NodeRoleEnum } from '../enums.js'

@InputType('PlanRelabelInput')
export class PlanRelabelInput {
  @Field(() => String)
  node!: string

  @Field(() => [NodeRoleEnum], { description: 'The node\'s Run:ai roles after the plan: exactly these.' })
  roles!: NodeRoleEnum[]

  @Field(() => String)
  reason!: string

  @Field(() => String, { nullable: true, description: 'The cluster (clusters file name); may be left out when there is only one.' })
  cluster?: string | null
}
