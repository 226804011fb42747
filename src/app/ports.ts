// The ports the use cases need. Adapters (src/adapters/*) implement them; the app and the
// domain never see @kubernetes/client-node or Prisma types.
import type { ClusterSnapshot, NodeState, PodState } from '../domain/cluster.js'
import type { Change, ChangeProgress, Plan, PlanDraft, PlanKind, PlanStatus } from '../domain/plan.js'

export type NodeEventType = 'ADDED' | 'MODIFIED' | 'DELETED'
export interface NodeEvent {
  type: NodeEventType
  node: NodeState
  previous: NodeState | null
}

/** An informer-backed, read-only view of nodes, pods and PDBs. */
export interface ClusterCache {
  start(): Promise<void>
  stop(): Promise<void>
  /** True once the first list of every resource has arrived. */
  synced(): boolean
  snapshot(): ClusterSnapshot
  /** Every node, sorted by name: the same frozen array until a node changes (pod changes leave it). */
  nodeList(): readonly NodeState[]
  node(name: string): NodeState | undefined
  /** The same frozen array until the pods on that node change, so callers may memoize on it. */
  podsOn(node: string): readonly PodState[]
  /**
   * Re-read these nodes (and, unless `pods: false`, the pods on them) from the API server, so a
   * plan is computed and applied on fresh state rather than on a watch that may lag.
   */
  refresh(nodes: string[], options?: { pods?: boolean }): Promise<void>
  onNodeEvent(listener: (event: NodeEvent) => void): () => void
  /** Throws when the API server cannot be reached (readiness). */
  ping(): Promise<void>
}

export type ApplyOutcome = 'applied' | 'already'

/** Writes one planned change exactly: only the named taint or label, guarded by optimistic concurrency. */
export interface NodeWriter {
  /**
   * `uid`: the node the plan was made for; a node of the same name registered since is not touched.
   * `known`: the node as last seen (the cache's state); when it is still the live version the change
   * is written without reading the node first, otherwise the node is read as if it were not given.
   */
  apply(change: Change, options: { deadline: number; uid?: string | null; known?: NodeState | null }): Promise<ApplyOutcome>
}

export interface ChangeRecord {
  index: number
  progress: ChangeProgress
  audit: AuditInput | null
}

export interface AuditInput {
  actor: string
  action: string
  planId?: string | null
  node?: string | null
  detail?: Record<string, unknown> | null
}

export interface AuditEvent {
  id: string
  seq: number
  at: Date
  actor: string
  action: string
  planId: string | null
  node: string | null
  detail: Record<string, unknown> | null
  hash: string
  prevHash: string
}

export interface AuditFilter {
  node?: string | null
  planId?: string | null
  actor?: string | null
  action?: string | null
  since?: Date | null
  until?: Date | null
}

export interface Page<T> {
  items: T[]
  /** One opaque cursor per item: `after: cursors[i]` continues after items[i]. */
  cursors: string[]
  hasNextPage: boolean
  endCursor: string | null
  totalCount: number
}

export interface PlanListQuery {
  status?: PlanStatus[] | null
  node?: string | null
  first: number
  after?: string | null
}

export interface TransitionFields {
  approvedBy?: string
  appliedBy?: string
  appliedAt?: Date
  /** The apply lease, taken in the same write that moves a plan to APPLYING. */
  applyOwner?: string
  leaseExpiresAt?: Date
}

export type StartApplyResult = { started: Plan } | { locked: { node: string; heldBy: string } } | { moved: true }

/** Stored plans. Every write that changes a plan also appends its audit event in the same transaction. */
export interface PlanRepository {
  /** Stored as PENDING, or as NO_CHANGES (final at once) for a plan that changes nothing. */
  create(draft: PlanDraft, audit: AuditInput, status?: 'PENDING' | 'NO_CHANGES'): Promise<Plan>
  /** `create`, once per `key` across every replica and restart: null when the key was done before. */
  createOnce(key: string, draft: PlanDraft, audit: AuditInput): Promise<Plan | null>
  get(id: string): Promise<Plan | null>
  list(query: PlanListQuery): Promise<Page<Plan>>
  /** Compare-and-set: moves the plan only if its status is one of `from`; null when it was not. */
  transition(id: string, from: PlanStatus[], to: PlanStatus, fields: TransitionFields, audit: AuditInput): Promise<Plan | null>
  /** Records the progress of several changes of one plan, each with its audit event, in one transaction. */
  recordChanges(planId: string, entries: ChangeRecord[]): Promise<void>
  /**
   * In one transaction: every node lock of the plan (all or none) and the move from one of `from`
   * to APPLYING with `fields` (its lease) and the audit event. `moved`: the plan was not in `from`;
   * `locked`: a node is held by another APPLYING plan. Moving the plan out of APPLYING (transition)
   * releases its locks in the same write.
   */
  startApply(id: string, from: PlanStatus[], fields: TransitionFields, audit: AuditInput): Promise<StartApplyResult>
  nodeLocks(): Promise<{ node: string; planId: string }[]>
  /** Plans left APPLYING by a process that died. */
  applying(): Promise<Plan[]>
  /** The newest APPLIED plan of this kind touching the node (e.g. the DECOMMISSION whose labels a rejoin restores). */
  lastApplied(kind: PlanKind, node: string): Promise<Plan | null>
  /** Plans of this kind touching the node that are not final yet (PENDING, APPROVED, APPLYING), newest first. */
  pendingFor(node: string, kind: PlanKind): Promise<Plan[]>
  /** Up to `limit` plans in one of these statuses made before `before`, oldest first. */
  createdBefore(statuses: PlanStatus[], before: Date, limit: number): Promise<Plan[]>
}

/**
 * A prompt that a plan's stored record changed, written by any replica: read the plan for what
 * changed. Prompts may be lost or doubled; readers poll as well.
 */
export interface PlanWrites {
  onWritten(planId: string, listener: () => void): () => void
}

export interface AuditRepository {
  append(event: AuditInput): Promise<AuditEvent>
  /** `append`, once per `key` across every replica and restart: null when the key was done before. */
  appendOnce(key: string, event: AuditInput): Promise<AuditEvent | null>
  list(filter: AuditFilter, first: number, after: string | null): Promise<Page<AuditEvent>>
  /** Walks the hash chain from #1 to the head; the first event that does not hold, and why. */
  verify(): Promise<AuditVerification>
  /** The newest plan.approved event of the plan that nodeplan provably wrote, or null. */
  approvalOf(planId: string): Promise<AuditEvent | null>
}

export interface AuditVerification {
  /** Events whose link held. */
  checked: number
  /** The event where the trail stops holding (null when ok, or when no event can be named). */
  firstBroken: AuditEvent | null
  /** What is wrong, for a person; null when the trail holds. */
  problem: string | null
  /** Verified with the audit key; without it only accidental damage is detected. */
  keyed: boolean
}

/** Injected wherever time matters, so tests advance a clock instead of sleeping. */
export interface Clock {
  now(): Date
  sleep(ms: number): Promise<void>
}

/** A bootstrap token and the `kubeadm join` command that uses it. */
export interface IssuedJoinCommand {
  tokenId: string
  /** `<id>.<secret>`: handed to the caller once; never stored, logged or audited. */
  token: string
  /** null for a token that never expires. */
  expiresAt: Date | null
  /** `kubeadm join <host>:<port> --token <id>.<secret> --discovery-token-ca-cert-hash sha256:<hex>` */
  command: string
}

/** What `kubeadm token create --print-join-command` does, through the cluster's API. */
export interface BootstrapTokens {
  createJoinCommand(opts: { ttlHours: number; description: string; now: Date }): Promise<IssuedJoinCommand>
}
