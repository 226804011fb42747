import type { Taint, TaintEffect } from './cluster.js'
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

/** What a TAINT change names: the taint with this key and effect on the node (at most one). */
export interface TaintTarget {
  node: string
  key: string
  effect: TaintEffect
}

/** What a LABEL change names: the label with this key on the node. */
export interface LabelTarget {
  node: string
  key: string
}

/** What a NODE change names: the node itself. */
export interface NodeTarget {
  node: string
}

/**
 * One planned change, as Terraform has it: action, before, after, on a structured target.
 * null where absent (CREATE has before null, DELETE has after null). Build one with the
 * factories in change.ts, which derive `address` (display only, never read back) from the target.
 */
interface ChangeOf<R extends ResourceType, Target, Value> {
  resource: R
  target: Target
  /** node/<node>/taint/<key>:<Effect> | node/<node>/label/<key> | node/<node>: for people, logs and the GraphQL contract. */
  address: string
  /** The target's node, as the GraphQL contract and the plan's per-node grouping read it. */
  node: string
  action: ChangeAction
  before: Value | null
  after: Value | null
  reason: ChangeReason
}

export type TaintChange = ChangeOf<'TAINT', TaintTarget, Taint>
/** Values are label value strings. */
export type LabelChange = ChangeOf<'LABEL', LabelTarget, string>
export type NodeChange = ChangeOf<'NODE', NodeTarget, NodeValue>
export type Change = TaintChange | LabelChange | NodeChange

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
  /** The rollout this plan is a wave of (its DRAIN or UNDRAIN); absent or null otherwise. */
  rolloutId?: string | null
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

export type { NodeRole }
