import { Field, ObjectType } from 'type-graphql'

@ObjectType('Label', { simpleResolvers: true, description: 'A node label.' })
export class LabelType {
  @Field(() => String)
  key!: string

  @Field(() => String)
  value!: string
}
