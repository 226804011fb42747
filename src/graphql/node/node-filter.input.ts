import { ArrayMaxSize, MaxLength } from 'class-validator'
import { Field, InputType } from 'type-graphql'
import { NodeRoleEnum } from '../enums.js'

@InputType('NodeFilter', { description: 'Every given criterion must hold.' })
export class NodeFilterInput {
  @Field(() => [NodeRoleEnum], { nullable: true, description: 'Nodes holding any of these roles.' })
  roles?: NodeRoleEnum[] | null

  @Field(() => Boolean, { nullable: true })
  ready?: boolean | null

  @Field(() => Boolean, { nullable: true })
  draining?: boolean | null

  @Field(() => String, { nullable: true })
  @MaxLength(253)
  nameContains?: string | null

  @Field(() => [String], { nullable: true, description: 'Each entry `key=value` (that value) or `key` (any value) must be among the node\'s labels, e.g. a node pool\'s label.' })
  @ArrayMaxSize(20)
  @MaxLength(317, { each: true })
  labels?: string[] | null
}
