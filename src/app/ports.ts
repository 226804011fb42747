// The ports the use cases need. Adapters (src/adapters/*) implement them; the app and the
// domain never see @kubernetes/client-node or Prisma types.
import type { ClusterSnapshot, NodeState, PodState } from '../domain/cluster.js'
import type { Change, ChangeProgress, ChangeRetry, Plan, PlanDraft, PlanKind, PlanStatus } from '../domain/plan.js'
import type { OutboxRecord } from '../domain/cloud-event.js'
import type { HealthSignal, SignalOutcome, SignalReport, SignalState } from '../domain/health-signal.js'

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
   * `annotations`: written with a change that puts the drain taint on (who drained the node).
   * `onRetry`: told before each backed-off retry (awaited, so a record of it lands before the outcome's).
   */
  apply(change: Change, options: NodeWriteOptions): Promise<ApplyOutcome>
}

export interface NodeWriteOptions {
  deadline: number
  uid?: string | null
  known?: NodeState | null
  annotations?: Record<string, string> | null
  onRetry?: (retry: ChangeRetry) => Promise<void> | void
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
  /** The cluster the event is about; null or absent for service-wide events. */
  cluster?: string | null
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
  cluster: string | null
  detail: Record<string, unknown> | null
  hash: string
  prevHash: string
}

export interface AuditFilter {
  /** Events about this cluster only. */
  cluster?: string | null
  /** Events about these clusters, or service-wide (a caller limited to some clusters). */
  visibleClusters?: string[] | null
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
  /** Plans of these clusters only (null: every cluster). */
  clusters?: string[] | null
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
   * The end of an apply, in one transaction: the last records (as recordChanges), then the move
   * from APPLYING to `to`, which releases the plan's node locks; null when the plan was no longer APPLYING.
   */
  finishApply(planId: string, entries: ChangeRecord[], to: 'APPLIED' | 'FAILED', audit: AuditInput): Promise<Plan | null>
  /** Records that a change of the plan is being retried (no audit event: its outcome gets one). */
  recordRetry(planId: string, index: number, retry: ChangeRetry): Promise<void>
  /**
   * In one transaction: every node lock of the plan (all or none) and the move from one of `from`
   * to APPLYING with `fields` (its lease) and the audit event. `moved`: the plan was not in `from`;
   * `locked`: a node is held by another APPLYING plan. Moving the plan out of APPLYING (finishApply,
   * transition) releases its locks in the same write.
   */
  startApply(id: string, from: PlanStatus[], fields: TransitionFields, audit: AuditInput): Promise<StartApplyResult>
  nodeLocks(): Promise<{ node: string; planId: string }[]>
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
  /** For each appendOnce key done that starts with `done`: the rest of it, unless `undone` followed by that rest was done too. */
  doneWithout(done: string, undone: string): Promise<string[]>
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

/** The delivery state of one webhook (WebhookCursor). */
export interface WebhookCursorState {
  name: string
  /** Every event up to this seq was delivered (or dropped after its last attempt). */
  lastSeq: number
  owner: string | null
  leaseUntil: Date | null
  attempts: number
  nextAttemptAt: Date | null
}

/**
 * The event outbox (rows are written with their audit events) and each webhook's cursor into it.
 * A webhook is delivered by one replica at a time, the holder of its lease; every write is a
 * compare-and-set on the cursor row, so a replica that lost its lease changes nothing.
 */
export interface OutboxRepository {
  /** Creates missing cursors at the newest event: a new webhook gets events from now on, not the history. */
  ensureCursors(names: string[]): Promise<void>
  cursor(name: string): Promise<WebhookCursorState | null>
  newestSeq(): Promise<number>
  /** Takes or renews the lease when it is free, expired or already ours; the cursor, or null. */
  claim(name: string, owner: string, now: Date, until: Date): Promise<WebhookCursorState | null>
  /** Events after `seq`, oldest first. */
  after(seq: number, limit: number): Promise<OutboxRecord[]>
  /** Moves the cursor from `from` to `to` (and clears the retry state) if we still hold it there. */
  advance(name: string, owner: string, from: number, to: number, until: Date): Promise<boolean>
  /** Records a failed attempt at the event after `at`; the next one waits until `nextAttemptAt`. */
  failed(name: string, owner: string, at: number, attempts: number, nextAttemptAt: Date, error: string): Promise<boolean>
  release(name: string, owner: string): Promise<void>
}

export interface SignalKey {
  node: string
  source: string
  code: string
}

export interface SignalFilter {
  state?: SignalState | null
  outcome?: SignalOutcome | null
  node?: string | null
}

/** Health signals, one row per node and fault; every write that reports one appends its audit event in the same transaction. */
export interface HealthSignalRepository {
  /** A report: a new fault, a repeat (joins the row: count, lastAt, message) or a clear. */
  record(report: SignalReport, audit: AuditInput): Promise<HealthSignal>
  /**
   * The storm guard, across replicas: in one write transaction (serialised with every other),
   * counts the other nodes proposed since `since` and either reserves this signal's proposal
   * (outcome PROPOSED, proposedAt now) or marks it HELD with `heldAudit`. 'taken' when the signal
   * already has a proposal (another replica reserved it first).
   */
  reserve(key: SignalKey, now: Date, since: Date, allows: (proposedNodes: number) => boolean, heldAudit: AuditInput): Promise<'reserved' | 'held' | 'taken'>
  /** Links the reserved signal to its plan (or, with planId null, gives the reservation back). */
  settle(key: SignalKey, planId: string | null, outcome: SignalOutcome): Promise<void>
  list(filter: SignalFilter): Promise<HealthSignal[]>
}
