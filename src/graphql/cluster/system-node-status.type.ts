import { Field, Int, ObjectType } from 'type-graphql'

@ObjectType('SystemNodeStatus', { simpleResolvers: true, description: 'Run:ai system nodes that serve: labelled runai-system, Ready and not drained. The procedure wants more than one.' })
export class SystemNodeStatusType {
  @Field(() => Int)
  ready!: number

  @Field(() => [String], { description: 'The Ready system nodes, by name.' })
  nodes!: string[]

  @Field(() => String, { nullable: true, description: 'Set when fewer than two are Ready: what to do (designate a temporary system node with planRelabel).' })
  warning!: string | null
}
