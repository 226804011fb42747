import { ArrayMaxSize, MaxLength, ValidateNested } from 'class-validator'
import { Field, InputType } from 'type-graphql'
import { NodeRoleEnum } from '../enums.js'
import { LabelSelectorInput } from './label-selector.input.js'

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

  @Field(() => String, { nullable: true, description: 'Nodes whose name starts with this.' })
  @MaxLength(253)
  namePrefix?: string | null

  @Field(() => [LabelSelectorInput], { nullable: true, description: 'Nodes carrying every one of these labels.' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  labels?: LabelSelectorInput[] | null
}
