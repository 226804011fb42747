import { Field, ID, Int, ObjectType } from 'type-graphql'

@ObjectType('AuditVerification', { simpleResolvers: true, description: 'The result of walking the audit trail\'s hash chain from its first event to its head.' })
export class AuditVerificationType {
  @Field(() => Boolean, { description: 'Every link holds and the chain ends at the recorded head.' })
  ok!: boolean

  @Field(() => Int, { description: 'Events whose link was checked and held.' })
  checked!: number

  @Field(() => ID, { nullable: true, description: 'The first event whose link does not hold; null when ok.' })
  firstBrokenId!: string | null

  @Field(() => Date, { nullable: true, description: 'When that event says it happened (as stored, possibly edited).' })
  firstBrokenAt!: Date | null

  @Field(() => String, { nullable: true, description: 'What is wrong, for a person; null when ok.' })
  message!: string | null

  @Field(() => Boolean, {
    description:
      'Verified with the audit key (NODEPLAN_AUDIT_KEY): edits, insertions, recomputed hashes and a head moved back are all detected. False: no key is configured, so only accidental damage is detected; someone who can write the database can rewrite the trail undetected.',
  })
  keyed!: boolean
}
