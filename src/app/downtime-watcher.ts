import type { Principal } from '../auth.js'
import type { NodeState } from '../domain/cluster.js'
import type { Plan } from '../domain/plan.js'
import { planDrain, planRejoin, planUndrain } from '../domain/planner.js'
import { isDrained } from '../domain/system-nodes.js'
import type { Logger } from '../logger.js'
import type { ApplyService } from './apply.service.js'
import type { PlanService } from './plan.service.js'
import type { Policy } from './policy.js'
import type { AuditInput, AuditRepository, ClusterCache, Clock, NodeEvent, PlanRepository } from './ports.js'

/** nodeplan itself, as author of the plans it proposes and applier of those policy lets it apply. */
export const SYSTEM_PRINCIPAL: Principal = { subject: 'system', role: 'admin' }

/** How often a running service looks for nodes NotReady past the grace time. */
export const DEFAULT_DOWNTIME_CHECK_INTERVAL_MS = 10_000

/** A DRAIN plan nodeplan proposed because its node stayed NotReady. */
export const isUnplannedDrain = (plan: Plan): boolean => plan.createdBy === SYSTEM_PRINCIPAL.subject && plan.changes.some((c) => c.reason === 'UNPLANNED_DOWNTIME')

/**
 * The node lifecycle as the Run:ai procedure has it, without a person watching: records nodes
 * going NotReady, coming back, registering and being deleted; proposes a DRAIN for a node
 * NotReady past the grace time (applied only where policy says so), the UNDRAIN once such a
 * node is back, and the REJOIN of a decommissioned node that registered again.
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
    private readonly planService: PlanService,
    private readonly applier: ApplyService,
    private readonly plans: PlanRepository,
    private readonly audit: AuditRepository,
    private readonly policy: Policy,
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
    return this.serially('downtime check', async () => {
      const graceMs = this.policy.unplannedDrainAfterSeconds * 1000
      const proposed: Plan[] = []
      for (const node of this.cache.nodeList()) {
        if (node.ready || !node.notReadySince) continue
        if (!(now.getTime() - Date.parse(node.notReadySince) > graceMs)) continue
        if (isDrained(node)) continue
        try {
          const plan = await this.proposeDrain(node, now)
          if (plan) proposed.push(plan)
        } catch (err) {
          this.log.error('could not propose the drain of a node NotReady too long', { node: node.name, error: err })
        }
      }
      return proposed
    }, [])
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
    const live = this.cache.node(node.name)
    if (live?.ready) await this.proposeRejoin(live)
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
    await this.discardDrainProposals(node.name)
    // Events queue up: decide on the node as it is now, not as the event saw it.
    const live = this.cache.node(node.name)
    if (!live?.ready) return
    await this.proposeUndrain(live, downSeconds)
    await this.proposeRejoin(live)
  }

  private async proposeDrain(node: NodeState, now: Date): Promise<Plan | null> {
    const since = node.notReadySince!
    const pending = [...(await this.plans.pendingFor(node.name, 'DRAIN')), ...(await this.plans.pendingFor(node.name, 'DECOMMISSION'))]
    if (pending.length > 0) return null
    const seconds = Math.floor((now.getTime() - Date.parse(since)) / 1000)
    const reason = `unplanned downtime: ${node.name} NotReady since ${since} (${seconds} s, over ${this.policy.unplannedDrainAfterSeconds} s)`
    // One proposal per outage: keyed by the node and the start of its outage.
    const plan = await this.planService.propose(
      planDrain(this.cache.snapshot(), { nodes: [node.name], reason, createdBy: SYSTEM_PRINCIPAL.subject, changeReason: 'UNPLANNED_DOWNTIME' }),
      `drain.proposed:${node.name}:${node.uid}@${since}`,
    )
    if (!plan) return null
    this.log.warn('proposed the drain of a node NotReady too long', { node: node.name, since, planId: plan.id })
    if (!this.policy.autoApplyUnplannedDrain) return plan
    try {
      const applied = await this.applier.apply(SYSTEM_PRINCIPAL, plan.id)
      if (applied.status === 'FAILED') {
        this.log.error('policy applies unplanned-downtime drains, but this one failed; it stays for a person', { node: node.name, planId: plan.id })
      }
      return applied
    } catch (err) {
      this.log.error('policy applies unplanned-downtime drains, but this one failed; it stays for a person', { node: node.name, planId: plan.id, error: err })
      return (await this.plans.get(plan.id)) ?? plan
    }
  }

  /** A DRAIN proposed for an outage that is over no longer has a reason: it goes, and the audit trail says who discarded it. */
  private async discardDrainProposals(name: string): Promise<void> {
    for (const plan of await this.plans.pendingFor(name, 'DRAIN')) {
      if (plan.status === 'PENDING' && isUnplannedDrain(plan)) await this.planService.discard(SYSTEM_PRINCIPAL, plan.id)
    }
  }

  private async proposeUndrain(node: NodeState, downSeconds: number | null): Promise<void> {
    if (!isDrained(node)) return
    const drain = await this.plans.lastApplied('DRAIN', node.name)
    if (!drain || !isUnplannedDrain(drain)) return
    if ((await this.plans.pendingFor(node.name, 'UNDRAIN')).length > 0) return
    const after = downSeconds === null ? '' : ` after ${downSeconds} s NotReady`
    const reason = `node back: ${node.name} Ready again${after}; lifts the unplanned-downtime drain of plan ${drain.id}`
    const plan = await this.planService.propose(
      planUndrain(this.cache.snapshot(), { nodes: [node.name], reason, createdBy: SYSTEM_PRINCIPAL.subject, changeReason: 'UNPLANNED_DOWNTIME' }),
      `undrain.proposed:${node.name}:${drain.id}`,
    )
    if (!plan) return
    this.log.info('proposed the undrain of a node Ready again', { node: node.name, planId: plan.id, drainPlanId: drain.id })
  }

  /** A node an applied DECOMMISSION deleted, registered again and Ready: propose restoring what that plan kept. */
  private async proposeRejoin(node: NodeState): Promise<void> {
    const decommission = await this.plans.lastApplied('DECOMMISSION', node.name)
    if (!decommission?.changes.some((c) => c.node === node.name && c.resource === 'NODE' && c.applied)) return
    const rejoin = await this.plans.lastApplied('REJOIN', node.name)
    if (rejoin?.appliedAt && decommission.appliedAt && rejoin.appliedAt >= decommission.appliedAt) return
    if ((await this.plans.pendingFor(node.name, 'REJOIN')).length > 0) return
    const stored = await this.planService.storedLabels(node.name)
    if (!stored) return
    const reason = `rejoin: ${node.name} registered again and is Ready; restores the roles and labels kept by decommission plan ${decommission.id}`
    const draft = planRejoin(this.cache.snapshot(), { nodes: [node.name], reason, createdBy: SYSTEM_PRINCIPAL.subject, stored: { [node.name]: stored } })
    if (draft.changes.every((c) => c.action === 'NO_OP')) return
    const plan = await this.planService.propose(draft, `rejoin.proposed:${node.name}:${decommission.id}`)
    if (!plan) return
    this.log.info('proposed the rejoin of a node registered again', { node: node.name, planId: plan.id, decommissionPlanId: decommission.id })
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
