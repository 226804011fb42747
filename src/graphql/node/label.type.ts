import { Field, ObjectType } from 'type-graphql'
import { KeptAsTextElement } from '../kept-as-text.js'

@ObjectType('Label', { simpleResolvers: true, description: 'A node label.' })
export class LabelType {
  @KeptAsTextElement()
  @Field(() => String)
  key!: string

  @KeptAsTextElement()
  @Field(() => String)
  value!: string
}
