import type { Taint } from './cluster.js'
import type { NodeRole } from './roles.js'

export type PlanKind = 'DRAIN' | 'UNDRAIN' | 'DECOMMISSION' | 'REJOIN' | 'RELABEL' | 'ROLLBACK'
/** NO_CHANGES: a plan that changes nothing, stored for the record and final at once. */
export type PlanStatus = 'PENDING' | 'APPROVED' | 'APPLYING' | 'APPLIED' | 'FAILED' | 'DISCARDED' | 'NO_CHANGES'
export type ChangeAction = 'CREATE' | 'UPDATE' | 'DELETE' | 'NO_OP'
export type ResourceType = 'TAINT' | 'LABEL' | 'NODE'
/** Why a change is in a plan. Feeds the diff text and the audit trail; apply never reads it. */
export type ChangeReason = 'REQUESTED' | 'ROLLBACK' | 'UNPLANNED_DOWNTIME' | 'DECOMMISSION' | 'REJOIN' | 'ALREADY_DONE' | 'CHANGED_SINCE'

export type WorkloadKind = 'TRAINING' | 'INTERACTIVE' | 'INFERENCE' | 'BUILD' | 'SYSTEM' | 'OTHER'
export type Relocation = 'AUTOMATIC' | 'MANUAL' | 'NOT_AFFECTED'

export interface Workload {
  namespace: string
  name: string
  kind: WorkloadKind
  relocation: Relocation
  project: string | null
  gpus: number
  pods: number
}

/** A NODE change's value: what a rejoin needs to restore. */
export interface NodeValue {
  name: string
  labels: Record<string, string>
}

/**
 * One planned change, as Terraform has it: action, before, after.
 * TAINT: before/after are Taint objects; LABEL: the label value string; NODE: NodeValue.
 * null where absent (CREATE has before null, DELETE has after null).
 */
export interface Change {
  /** node/<node>/taint/<key>:<Effect> | node/<node>/label/<key> | node/<node> */
  address: string
  node: string
  resource: ResourceType
  action: ChangeAction
  before: Taint | string | NodeValue | null
  after: Taint | string | NodeValue | null
  reason: ChangeReason
}

/** Where apply stands with one change. */
export interface ChangeProgress {
  applied: boolean
  error: string | null
}

/** A change the apply is retrying because the API server failed: the attempt it waits to make, why, and until when it keeps trying. */
export interface ChangeRetry {
  attempt: number
  error: string
  until: Date
}

/** `retry`: the last retry recorded for the change, if the apply retried it (kept once it ends). */
export type PlannedChange = Change & ChangeProgress & { retry?: ChangeRetry | null }

/**
 * What a plan was computed from, per node: only what its changes depend on.
 * staleness.ts compares these with the live node; heartbeats, pods and other labels don't count.
 */
export interface NodeInputs {
  node: string
  exists: boolean
  /** The node's uid when it existed: a node deleted and registered again is another node. */
  uid: string | null
  /** The `key:Effect` of every taint a change of this plan names, present or not. */
  taintIds: string[]
  /** The live taints among `taintIds`. */
  taints: Taint[]
  /** Every label key a change names, present or not; role labels are always watched. */
  labelKeys: string[]
  /** The live node-role.kubernetes.io/* labels, plus the live labels among `labelKeys`. */
  labels: Record<string, string>
}

export interface Impact {
  nodes: number
  /** GPUs taken out of service */
  gpus: number
  automaticallyRescheduled: Workload[]
  manualRelocation: Workload[]
  readySystemNodesAfter: number
  /** Drained nodes whose drain taint the plan removes (undrain, rollback of a drain) */
  nodesReturningToService: number
  /** Their GPUs */
  gpusReturningToService: number
}

/** A computed plan before it is stored. */
export interface PlanDraft {
  kind: PlanKind
  reason: string
  createdBy: string
  nodes: string[]
  changes: Change[]
  impact: Impact
  warnings: string[]
  inputs: NodeInputs[]
  rollbackOf: string | null
}

export interface Plan extends Omit<PlanDraft, 'changes'> {
  id: string
  /** The cluster the plan changes. */
  cluster: string
  status: PlanStatus
  createdAt: Date
  approvedBy: string | null
  appliedBy: string | null
  appliedAt: Date | null
  changes: PlannedChange[]
}

/** Statuses a plan never leaves. */
export const FINAL_STATUSES: readonly PlanStatus[] = ['APPLIED', 'FAILED', 'DISCARDED', 'NO_CHANGES']

export type { NodeRole }
