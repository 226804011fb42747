import type { NodeState } from '../domain/cluster.js'
import type { Plan } from '../domain/plan.js'
import type { Logger } from '../logger.js'
import type { LifecycleProposals } from './lifecycle-proposals.js'
import type { AuditInput, AuditRepository, ClusterCache, Clock, NodeEvent } from './ports.js'
import { SYSTEM_PRINCIPAL } from './system-principal.js'

/** How often a running service looks for nodes NotReady past the grace time. */
export const DEFAULT_DOWNTIME_CHECK_INTERVAL_MS = 10_000

/**
 * The node lifecycle as the Run:ai procedure has it, without a person watching: records nodes
 * going NotReady, coming back, registering and being deleted, and asks LifecycleProposals for the
 * DRAIN of a node NotReady past the grace time, the UNDRAIN once such a node is back, and the
 * REJOIN of a decommissioned node that registered again.
 *
 * Time is the cluster's clock, injected: `check(now)` runs on a timer in a service and is
 * called directly by tests that advance a simulated clock. Event handling and checks run one
 * at a time, in order; a failure is logged and never reaches the process.
 *
 * With several replicas only the leader runs it (main.ts starts and stops it with the leader
 * Lease). What must happen once per cluster is keyed in the database besides: each node event's
 * audit event (by node, event and outage or uid) and each outage's DRAIN proposal, so a leader
 * taking over, or two overlapping for a moment, never repeat one.
 */
export class DowntimeWatcher {
  private unsubscribe: (() => void) | null = null
  private timer: NodeJS.Timeout | null = null
  /** The timer's check in flight: a slow check (many proposals, a slow database) is not queued again behind itself. */
  private ticking: Promise<unknown> | null = null
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly cache: ClusterCache,
    private readonly audit: AuditRepository,
    private readonly proposals: LifecycleProposals,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly log: Logger,
  ) {}

  /** Subscribes to node events (start it after the cache's first list: the nodes listed then are not news) and checks every intervalMs (0: never). */
  start(intervalMs = DEFAULT_DOWNTIME_CHECK_INTERVAL_MS): void {
    if (this.unsubscribe) return
    this.unsubscribe = this.cache.onNodeEvent((event) => this.onNodeEvent(event))
    if (intervalMs > 0) {
      this.timer = setInterval(() => {
        this.ticking ??= this.check().finally(() => (this.ticking = null))
      }, intervalMs)
      this.timer.unref()
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.()
    this.unsubscribe = null
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.idle()
  }

  /** Resolves once every event and check queued so far has been handled. */
  async idle(): Promise<void> {
    await this.queue
  }

  /** Proposes a DRAIN for every node NotReady longer than the policy's grace time at `now`; returns the plans it stored. */
  check(now: Date = this.clock.now()): Promise<Plan[]> {
    return this.serially('downtime check', () => this.proposals.overdue(now), [])
  }

  private onNodeEvent({ type, node, previous }: NodeEvent): void {
    // Heartbeats and other updates arrive by the thousand: only transitions are work.
    if (type === 'ADDED') void this.serially('node registered', () => this.registered(node))
    else if (type === 'DELETED') void this.serially('node deleted', () => this.deleted(node))
    else if (previous?.ready && !node.ready) void this.serially('node NotReady', () => this.wentNotReady(node))
    else if (previous && !previous.ready && node.ready) void this.serially('node Ready again', () => this.cameBack(node, previous))
  }

  /**
   * What a new leader does first, from the cache's state of the nodes: records the outages already
   * under way (their node.notready is keyed, so one the previous leader recorded is not recorded
   * again); handles the return of nodes Ready again whose outage was recorded but never ended —
   * they came back while no replica led; then checks for proposals.
   */
  async takeOver(): Promise<void> {
    await this.serially('taking over the node lifecycle', async () => {
      for (const node of this.cache.nodeList()) if (!node.ready && node.notReadySince) await this.wentNotReady(node)
      for (const rest of await this.audit.doneWithout('node.notready:', 'node.ready:')) {
        const outage = parseOutageKey(rest)
        const node = outage ? this.cache.node(outage.node) : null
        if (!outage || !node?.ready || node.uid !== outage.uid) continue
        await this.cameBack(node, { ...node, ready: false, notReadySince: outage.since })
      }
    })
    await this.check()
  }

  private async registered(node: NodeState): Promise<void> {
    await this.record('node.registered', node.name, { uid: node.uid, ready: node.ready, labels: node.labels }, node.uid)
    await this.proposals.registered(node.name)
  }

  private async deleted(node: NodeState): Promise<void> {
    await this.record('node.deleted', node.name, { uid: node.uid }, node.uid)
  }

  private async wentNotReady(node: NodeState): Promise<void> {
    await this.record('node.notready', node.name, { since: node.notReadySince }, outageKey(node.uid, node.notReadySince))
  }

  private async cameBack(node: NodeState, previous: NodeState): Promise<void> {
    const since = previous.notReadySince
    const downSeconds = since ? Math.max(0, Math.round((this.clock.now().getTime() - Date.parse(since)) / 1000)) : null
    await this.record('node.ready', node.name, { since, downSeconds }, outageKey(node.uid, since))
    await this.proposals.back(node.name, downSeconds)
  }

  /** One audit event per node event, across replicas and leaders: `key` names the event. */
  private async record(action: string, node: string, detail: AuditInput['detail'], key: string): Promise<void> {
    await this.audit.appendOnce(`${action}:${node}:${key}`, { actor: SYSTEM_PRINCIPAL.subject, action, node, detail })
  }

  /** Runs `work` after everything queued before it; a failure is logged and yields `fallback`. */
  private serially<T>(what: string, work: () => Promise<T>, fallback?: T): Promise<T> {
    const run = this.queue.then(work).catch((err: unknown) => {
      this.log.error(`${what} failed`, { error: err })
      return fallback as T
    })
    this.queue = run
    return run
  }
}

/** An outage of one node (its uid: a node registered again under the same name is another node) by its start. */
function outageKey(uid: string, since: string | null): string {
  return `${uid}@${since}`
}

/** `node:uid@since`, the rest of a node.notready record's key (node names and uids hold neither ':' nor '@'). */
function parseOutageKey(rest: string): { node: string; uid: string; since: string } | null {
  const match = /^([^:]+):([^@]+)@(.+)$/.exec(rest)
  return match && match[3] !== 'null' ? { node: match[1]!, uid: match[2]!, since: match[3]! } : null
}
