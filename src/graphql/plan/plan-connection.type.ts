import { Field, Int, ObjectType } from 'type-graphql'
import { PageInfoType } from '../page-info.type.js'
import { PlanType } from './plan.type.js'

@ObjectType('PlanEdge', { simpleResolvers: true })
export class PlanEdgeType {
  @Field(() => String)
  cursor!: string

  @Field(() => PlanType)
  node!: PlanType
}

@ObjectType('PlanConnection', { simpleResolvers: true, description: 'Plans, newest first.' })
export class PlanConnectionType {
  @Field(() => [PlanEdgeType])
  edges!: PlanEdgeType[]

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType

  @Field(() => Int, { description: 'Plans matching the filter, on all pages.' })
  totalCount!: number
}
