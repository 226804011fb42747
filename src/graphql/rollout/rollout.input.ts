import { Field, InputType, Int } from 'type-graphql'
import { z } from 'zod'
import { CheckedBy } from '../checked-by.js'
import { NodeRoleEnum } from '../enums.js'
import { LabelSelectorInput, labelSelectorSchema } from '../node/label-selector.input.js'
import { DrainModeEnum } from './rollout.enums.js'

const windowSchema = z.object({
  cron: z.string().max(200, 'must be at most 200 characters'),
  timeZone: z.string().max(100, 'must be at most 100 characters').nullish(),
})
const floorSchema = z.object({ pool: z.string().max(63, 'must be at most 63 characters (a label value)') })
const nodeName = z.string().max(253, 'must be at most 253 characters (a node name)')
const MAX_NODES = 10_000

@CheckedBy(windowSchema)
@InputType('RecurringWindowInput')
export class RecurringWindowInput {
  @Field(() => String, { description: 'Five-field cron expression for when each window opens, e.g. "0 22 * * 1-5".' })
  cron!: string

  @Field(() => Int, { description: 'How long each window stays open.' })
  durationMinutes!: number

  @Field(() => String, { nullable: true, defaultValue: 'UTC', description: 'IANA time zone the cron expression is read in, e.g. "Europe/Berlin".' })
  timeZone!: string
}

@CheckedBy(floorSchema)
@InputType('PoolFloorInput')
export class PoolFloorInput {
  @Field(() => String, { description: 'The node pool: the value of the pool label (RolloutInput.poolLabel).' })
  pool!: string

  @Field(() => Int)
  minGpusInService!: number
}

@CheckedBy(
  z.object({
    reason: z.string().max(1000, 'must be at most 1000 characters'),
    nodes: z.array(nodeName).max(MAX_NODES, `must be at most ${MAX_NODES} nodes`).nullish(),
    labels: z.array(labelSelectorSchema).max(50, 'must be at most 50 labels').nullish(),
    maxUnavailable: z.string().max(10, 'must be at most 10 characters').nullish(),
    poolLabel: z.string().max(317, 'must be at most 317 characters (a label key)').nullish(),
    poolFloors: z.array(floorSchema).max(100, 'must be at most 100 floors').nullish(),
    order: z.array(nodeName).max(MAX_NODES, `must be at most ${MAX_NODES} nodes`).nullish(),
    window: windowSchema.nullish(),
    cluster: z.string().max(63, 'must be at most 63 characters').nullish(),
  }),
)
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
  maxUnavailable!: string

  @Field(() => Int, { nullable: true, defaultValue: 0, description: 'Never fewer than this many Ready, undrained GPUs in the cluster while a wave runs.' })
  minGpusInService!: number

  @Field(() => String, { nullable: true, defaultValue: 'run.ai/node-pool', description: "The label that names a node's pool (for per-pool floors and the diff)." })
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

  @Field(() => String, { nullable: true, description: 'The cluster whose nodes it maintains; may be left out while there is one cluster.' })
  cluster?: string | null
}
