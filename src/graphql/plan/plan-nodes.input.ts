import { Field, InputType } from 'type-graphql'

@InputType('PlanNodesInput')
export class PlanNodesInput {
  @Field(() => [String], { description: 'Node names, each once.' })
  nodes!: string[]

  @Field(() => String, { description: 'Why: a ticket, an incident, a sentence for the audit trail.' })
  reason!: string

  @Field(() => String, { nullable: true, description: 'The cluster (clusters file name); may be left out when there is only one.' })
  cluster?: string | null
}
