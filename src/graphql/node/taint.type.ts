import { Field, ObjectType } from 'type-graphql'
import { TaintEffectEnum } from '../enums.js'

@ObjectType('Taint', { simpleResolvers: true, description: 'A node taint, as Kubernetes spells it.' })
export class TaintType {
  @Field(() => String)
  key!: string

  @Field(() => String, { nullable: true })
  value?: string | null

  @Field(() => TaintEffectEnum)
  effect!: TaintEffectEnum
}
