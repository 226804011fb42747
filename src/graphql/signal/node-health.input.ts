import { Field, InputType } from 'type-graphql'
import { SignalSeverityEnum } from '../enums.js'

@InputType('NodeHealthInput', { description: 'A health fault a tool saw on a node (NVSentinel, DCGM, node-problem-detector, …).' })
export class NodeHealthInput {
  @Field(() => String)
  node!: string

  @Field(() => String, { description: 'The reporting tool, e.g. "nvsentinel", "dcgm".' })
  source!: string

  @Field(() => String, { description: 'The fault, e.g. "XID-79", "ECC-DBE": repeats of one node and code join one proposal.' })
  code!: string

  @Field(() => SignalSeverityEnum)
  severity!: SignalSeverityEnum

  @Field(() => String, { nullable: true, defaultValue: '', description: 'The evidence, in the tool\'s words; it goes into the proposed plan\'s reason.' })
  message?: string | null

  @Field(() => Date, { nullable: true, description: 'When the tool saw it; now when absent.' })
  time?: Date | null

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'The fault is over: a DRAIN it proposed is discarded, or an applied one gets its UNDRAIN proposed.' })
  cleared?: boolean | null

  @Field(() => String, { nullable: true, description: 'The cluster (clusters file name); may be left out when there is only one.' })
  cluster?: string | null
}
