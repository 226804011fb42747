import { Field, ID, Int, ObjectType } from 'type-graphql'
import { PageInfoType } from '../page-info.type.js'
import { JSONScalar } from '../scalars.js'

@ObjectType('AuditEvent', { simpleResolvers: true, description: 'One append-only entry of the audit trail.' })
export class AuditEventType {
  @Field(() => ID)
  id!: string

  @Field(() => Date)
  at!: Date

  @Field(() => String)
  actor!: string

  @Field(() => String, { description: 'plan.created, plan.approved, plan.applied, plan.failed, change.applied, node.notready, …' })
  action!: string

  @Field(() => ID, { nullable: true })
  planId!: string | null

  @Field(() => String, { nullable: true })
  node!: string | null

  @Field(() => String, { nullable: true, description: 'The cluster the event is about; null for service-wide events.' })
  cluster!: string | null

  @Field(() => JSONScalar, { nullable: true })
  detail!: unknown
}

@ObjectType('AuditEventEdge', { simpleResolvers: true })
export class AuditEventEdgeType {
  @Field(() => String)
  cursor!: string

  @Field(() => AuditEventType)
  node!: AuditEventType
}

@ObjectType('AuditEventConnection', { simpleResolvers: true, description: 'Audit events, newest first.' })
export class AuditEventConnectionType {
  @Field(() => [AuditEventEdgeType])
  edges!: AuditEventEdgeType[]

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType

  @Field(() => Int)
  totalCount!: number
}
