import { Field, ObjectType } from 'type-graphql'
import { ChangeActionEnum, ResourceTypeEnum } from '../enums.js'
import { JSONScalar } from '../scalars.js'

@ObjectType('Change', { simpleResolvers: true, description: 'One planned change, Terraform-style: the value before and after.' })
export class ChangeType {
  @Field(() => String, { description: 'node/<node>/taint/<key>:<Effect> | node/<node>/label/<key> | node/<node>' })
  address!: string

  @Field(() => String)
  node!: string

  @Field(() => ResourceTypeEnum)
  resource!: ResourceTypeEnum

  @Field(() => ChangeActionEnum)
  action!: ChangeActionEnum

  @Field(() => JSONScalar, {
    nullable: true,
    description: 'The Kubernetes value before: a taint object, a label value, or {name, labels} for a node; null where absent.',
  })
  before!: unknown

  @Field(() => JSONScalar, { nullable: true, description: 'The value after, spelled as `before`; null where absent.' })
  after!: unknown

  @Field(() => Boolean, { description: 'Written to the cluster by an apply.' })
  applied!: boolean

  @Field(() => String, { nullable: true, description: 'Why applying this change failed.' })
  error!: string | null
}
