// A rollout: maintenance of many nodes in waves under a capacity guard. The model only; waves are
// built by rollout-waves.ts, shown by rollout-diff.ts, forecast by rollout-forecast.ts and driven
// by the app's rollout runner, which stores every step.
import type { Impact, NodeInputs } from './plan.js'
import type { NodeRole } from './roles.js'

/** A label a node must carry: with this value, or any value when value is null (kubectl -l key=value, -l key). */
export interface NodeLabel {
  key: string
  value?: string | null
}

export type RolloutStatus = 'PENDING' | 'APPROVED' | 'SCHEDULED' | 'RUNNING' | 'PAUSED' | 'COMPLETED' | 'FAILED' | 'ABORTED' | 'DISCARDED'
export type DrainMode = 'IMMEDIATE' | 'GRACEFUL'
export type RolloutNodeStage = 'WAITING' | 'DRAINING' | 'IN_MAINTENANCE' | 'CHECKING' | 'DONE' | 'FAILED' | 'SKIPPED'
export type WaveStatus = 'WAITING' | 'RUNNING' | 'DONE' | 'FAILED' | 'ABORTED'

/** Statuses a rollout never leaves. */
export const FINAL_ROLLOUT_STATUSES: readonly RolloutStatus[] = ['COMPLETED', 'FAILED', 'ABORTED', 'DISCARDED']
/** Statuses in which the runner drives a rollout. */
export const ACTIVE_ROLLOUT_STATUSES: readonly RolloutStatus[] = ['SCHEDULED', 'RUNNING', 'PAUSED']

export interface RecurringWindow {
  cron: string
  durationMinutes: number
  timeZone: string
}

export interface PoolFloor {
  pool: string
  minGpusInService: number
}

export interface RolloutRequest {
  reason: string
  nodes?: string[] | null
  roles?: NodeRole[] | null
  /** Nodes carrying every one of these labels. */
  labels?: NodeLabel[] | null
  maxUnavailable?: string | null
  minGpusInService?: number | null
  poolLabel?: string | null
  poolFloors?: PoolFloor[] | null
  order?: string[] | null
  drainMode?: DrainMode | null
  drainTimeoutSeconds?: number | null
  completeOnReboot?: boolean | null
  notBefore?: Date | null
  window?: RecurringWindow | null
  createdBy: string
}

/** The settings a rollout runs with, resolved from its request. */
export interface RolloutSettings {
  drainMode: DrainMode
  drainTimeoutSeconds: number
  /** As the operator wrote it: "4" or "10%". */
  maxUnavailableInput: string
  maxUnavailable: number
  minGpusInService: number
  poolLabel: string
  poolFloors: PoolFloor[]
  completeOnReboot: boolean
  notBefore: Date | null
  window: RecurringWindow | null
  /** The order the operator fixed, or null: least harm first. */
  order: string[] | null
}

export interface PoolGuard {
  pool: string
  gpusInService: number
  minGpusInService: number | null
}

/** What holds while a wave's nodes are out. */
export interface WaveGuard {
  nodesOut: number
  maxUnavailable: number
  gpusInService: number
  minGpusInService: number
  readySystemNodes: number
  pools: PoolGuard[]
  satisfied: boolean
  reason: string | null
}

export interface RolloutNode {
  name: string
  pool: string | null
  stage: RolloutNodeStage
  gpus: number
  drainedAt: Date | null
  maintenanceDoneAt: Date | null
  maintenanceDoneBy: string | null
  returnedAt: Date | null
  error: string | null
  /** The node's bootID when it was drained: a different one later means it rebooted. */
  bootId: string | null
  /** GRACEFUL: when the NoSchedule taint went on. */
  noScheduleAt: Date | null
}

export interface RolloutWave {
  index: number
  status: WaveStatus
  nodes: RolloutNode[]
  impact: Impact
  guard: WaveGuard
  warnings: string[]
  /** What the wave's nodes looked like at planning: a wave whose nodes changed since is stale. */
  inputs: NodeInputs[]
  /** GRACEFUL's NoSchedule plan, the DRAIN plan and the UNDRAIN plan, once made. */
  gracePlanId: string | null
  drainPlanId: string | null
  undrainPlanId: string | null
  startedAt: Date | null
  finishedAt: Date | null
}

/** Why a PAUSED rollout is paused: by a person (resumeRollout) or at a window's end (resumes by itself). */
export type PauseCause = 'PERSON' | 'WINDOW'

export interface Rollout extends RolloutSettings {
  id: string
  cluster: string
  status: RolloutStatus
  reason: string
  createdBy: string
  createdAt: Date
  approvedBy: string | null
  startedAt: Date | null
  finishedAt: Date | null
  waves: RolloutWave[]
  pausedBy: PauseCause | null
  waitingFor: string | null
  error: string | null
  leftDrained: string[]
  warnings: string[]
  /** Bumped by every write: the runner's writes are compare-and-set on it. */
  version: number
}

/** A planned rollout before it is stored. */
export type RolloutDraft = Omit<Rollout, 'id' | 'createdAt' | 'version'>

/** The wave running now, or the next to run; null when none is left. */
export function currentWave(rollout: Pick<Rollout, 'waves'>): RolloutWave | null {
  return rollout.waves.find((w) => w.status === 'RUNNING' || w.status === 'WAITING') ?? null
}
