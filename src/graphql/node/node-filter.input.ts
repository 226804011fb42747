import { Field, InputType } from 'type-graphql'
import { z } from 'zod'
import { NodeRoleEnum } from '../enums.js'
import { CheckedBy } from '../checked-by.js'
import { LabelSelectorInput, labelSelectorSchema } from './label-selector.input.js'

const namePart = z.string().max(253, 'must be at most 253 characters (a node name)').nullish()

@CheckedBy(
  z.object({
    nameContains: namePart,
    namePrefix: namePart,
    labels: z.array(labelSelectorSchema).max(50, 'must be at most 50 labels').nullish(),
  }),
)
@InputType('NodeFilter', { description: 'Every given criterion must hold.' })
export class NodeFilterInput {
  @Field(() => [NodeRoleEnum], { nullable: true, description: 'Nodes holding any of these roles.' })
  roles?: NodeRoleEnum[] | null

  @Field(() => Boolean, { nullable: true })
  ready?: boolean | null

  @Field(() => Boolean, { nullable: true })
  draining?: boolean | null

  @Field(() => String, { nullable: true })
  nameContains?: string | null

  @Field(() => String, { nullable: true, description: 'Nodes whose name starts with this.' })
  namePrefix?: string | null

  @Field(() => [LabelSelectorInput], { nullable: true, description: 'Nodes carrying every one of these labels.' })
  labels?: LabelSelectorInput[] | null
}
