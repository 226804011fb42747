import { Field, ObjectType } from 'type-graphql'
import { TaintEffectEnum } from '../enums.js'
import { KeptAsTextElement } from '../kept-as-text.js'

@ObjectType('Taint', { simpleResolvers: true, description: 'A node taint, as Kubernetes spells it.' })
export class TaintType {
  @KeptAsTextElement()
  @Field(() => String)
  key!: string

  @KeptAsTextElement()
  @Field(() => String, { nullable: true })
  value?: string | null

  @KeptAsTextElement()
  @Field(() => TaintEffectEnum)
  effect!: TaintEffectEnum
}
