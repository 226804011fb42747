import { Field, InputType } from 'type-graphql'
import { z } from 'zod'
import { CheckedBy } from '../checked-by.js'

export const labelSelectorSchema = z.object({
  key: z.string().max(317, 'must be at most 317 characters (a label key)'),
  value: z.string().max(63, 'must be at most 63 characters (a label value)').nullish(),
})

@CheckedBy(labelSelectorSchema)
@InputType('LabelSelector', { description: 'A label a node must carry: with this value, or any value when value is null (kubectl -l key=value, -l key).' })
export class LabelSelectorInput {
  @Field(() => String)
  key!: string

  @Field(() => String, { nullable: true })
  value?: string | null
}
