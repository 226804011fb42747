import { MaxLength } from 'class-validator'
import { Field, InputType, Int } from 'type-graphql'
import { NodeRoleEnum } from '../enums.js'
import { LabelSelectorInput } from '../node/label-selector.input.js'
import { DrainModeEnum } from './rollout.enums.js'

@InputType('RecurringWindowInput')
export class RecurringWindowInput {
  @Field(() => String, { description: 'Five-field cron expression for when each window opens, e.g. "0 22 * * 1-5".' })
  @MaxLength(200)
  cron!: string

  @Field(() => Int, { description: 'How long each window stays open.' })
  durationMinutes!: number

  @Field(() => String, { nullable: true, defaultValue: 'UTC', description: 'IANA time zone the cron expression is read in, e.g. "Europe/Berlin".' })
  @MaxLength(100)
  timeZone!: string
}

@InputType('PoolFloorInput')
export class PoolFloorInput {
  @Field(() => String, { description: 'The node pool: the value of the pool label (RolloutInput.poolLabel).' })
  @MaxLength(63)
  pool!: string

  @Field(() => Int)
  minGpusInService!: number
}

@InputType('RolloutInput')
export class RolloutInput {
  @Field(() => String, { description: "Why: a ticket, a change request; goes into every wave's plan and the audit trail." })
  reason!: string

  @Field(() => [String], { nullable: true, description: 'The nodes to maintain, chosen by name, by role, by label, or any mix (the union, each node once).' })
  nodes?: string[] | null

  @Field(() => [NodeRoleEnum], { nullable: true, description: 'Every node holding one of these roles.' })
  roles?: NodeRoleEnum[] | null

  @Field(() => [LabelSelectorInput], { nullable: true, description: 'Every node carrying all of these labels (e.g. a node pool).' })
  labels?: LabelSelectorInput[] | null

  @Field(() => String, { nullable: true, defaultValue: '1', description: 'At most this many nodes out of service at once: a count ("4") or a percentage of the chosen nodes ("10%"), rounded down, at least 1.' })
  @MaxLength(10)
  maxUnavailable!: string

  @Field(() => Int, { nullable: true, defaultValue: 0, description: 'Never fewer than this many Ready, undrained GPUs in the cluster while a wave runs.' })
  minGpusInService!: number

  @Field(() => String, { nullable: true, defaultValue: 'run.ai/node-pool', description: "The label that names a node's pool (for per-pool floors and the diff)." })
  @MaxLength(317)
  poolLabel!: string

  @Field(() => [PoolFloorInput], { nullable: true, description: 'Per node pool: never fewer than this many Ready, undrained GPUs in that pool.' })
  poolFloors?: PoolFloorInput[] | null

  @Field(() => [String], { nullable: true, description: 'Fix the order (node names, waves filled in this order); otherwise least harm first.' })
  order?: string[] | null

  @Field(() => DrainModeEnum, { nullable: true, defaultValue: DrainModeEnum.IMMEDIATE })
  drainMode!: DrainModeEnum

  @Field(() => Int, { nullable: true, defaultValue: 3600, description: 'GRACEFUL: how long to wait for training workloads before the NoExecute taint.' })
  drainTimeoutSeconds!: number

  @Field(() => Boolean, { nullable: true, defaultValue: true, description: "Count a node's maintenance done when it rebooted (bootID changed) and is Ready again, without completeMaintenance." })
  completeOnReboot!: boolean

  @Field(() => Date, { nullable: true, description: 'No wave starts before this.' })
  notBefore?: Date | null

  @Field(() => RecurringWindowInput, { nullable: true, description: 'Waves start only inside these windows; a rollout at a window\'s end pauses and resumes in the next.' })
  window?: RecurringWindowInput | null

  @Field(() => String, { nullable: true, description: 'Issue #23 (fleet): which cluster; the only one when absent.' })
  @MaxLength(63)
  cluster?: string | null
}
