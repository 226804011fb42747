import { Field, ID, InputType } from 'type-graphql'

@InputType('AuditFilter', { description: 'Every given criterion must hold.' })
export class AuditFilterInput {
  @Field(() => String, {
    nullable: true,
    description: 'Events naming this node, and the plan-level events (created, approved, applying, applied, failed, discarded, expired) of every plan whose nodes include it.',
  })
  node?: string | null

  @Field(() => ID, { nullable: true })
  planId?: string | null

  @Field(() => String, { nullable: true })
  actor?: string | null

  @Field(() => String, { nullable: true })
  action?: string | null

  @Field(() => Date, { nullable: true, description: 'Inclusive.' })
  since?: Date | null

  @Field(() => Date, { nullable: true, description: 'Inclusive.' })
  until?: Date | null

  @Field(() => String, { nullable: true, description: 'Events about this cluster (service-wide events name none).' })
  cluster?: string | null
}
