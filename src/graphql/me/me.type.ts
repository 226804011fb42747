import { Field, ObjectType, registerEnumType } from 'type-graphql'

export enum RoleEnum {
  viewer = 'viewer',
  operator = 'operator',
  approver = 'approver',
  admin = 'admin',
}
registerEnumType(RoleEnum, { name: 'Role', description: 'viewer < operator < approver < admin.' })

@ObjectType('Principal', { simpleResolvers: true, description: 'Who the bearer token belongs to.' })
export class PrincipalType {
  @Field(() => String)
  subject!: string

  @Field(() => RoleEnum)
  role!: RoleEnum

  @Field(() => RoleEnum, { description: "The least role that may approve another person's plan (the policy's approverRole)." })
  approverRole!: RoleEnum

  @Field(() => [String], { nullable: true, description: 'The clusters the token may use; null: every cluster.' })
  clusters!: string[] | null
}
