import { MaxLength } from 'class-validator'
import { Field, InputType } from 'type-graphql'

@InputType('LabelSelector', { description: 'A label a node must carry: with this value, or any value when value is null (kubectl -l key=value, -l key).' })
export class LabelSelectorInput {
  @Field(() => String)
  @MaxLength(317)
  key!: string

  @Field(() => String, { nullable: true })
  @MaxLength(63)
  value?: string | null
}
