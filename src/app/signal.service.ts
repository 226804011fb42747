import type { Principal } from '../auth.js'
import { NodeplanError } from '../domain/errors.js'
import type { Plan } from '../domain/plan.js'
import { checkReport, drainReason, ruleFor, stormAllows, type HealthSignal, type SignalAction, type SignalReport } from '../domain/health-signal.js'
import { planDrain, planUndrain } from '../domain/planner.js'
import { isDrained } from '../domain/system-nodes.js'
import type { Logger } from '../logger.js'
import { requireRole } from './access.js'
import { SYSTEM_PRINCIPAL } from './system-principal.js'
import type { Policy } from './policy.js'
import type { ClusterCache, Clock, HealthSignalRepository, SignalFilter } from './ports.js'
import type { SystemPlans } from './system-plans.js'
import { requireSynced } from './cluster-state.js'

export type ProposalOutcome = 'proposed' | 'auto_applied' | 'held' | 'joined'

export interface SignalMetrics {
  received(source: string, action: SignalAction): void
  proposal(outcome: ProposalOutcome): void
}

const noMetrics: SignalMetrics = { received: () => {}, proposal: () => {} }

/**
 * Health signals in, proposed plans out. A report is stored (one row per node and fault, repeats
 * join it) with its audit event; the policy's first matching rule says whether it only records,
 * proposes a DRAIN, or proposes and applies one. The storm guard, in the database, caps the nodes
 * proposed within a window across replicas; what it holds back stays visible (outcome HELD) and
 * audited (signal.held). When a node's last active fault clears, a DRAIN proposed for it is
 * discarded, and a DRAIN applied for it gets its UNDRAIN proposed, as for unplanned downtime.
 */
export class SignalService {
  constructor(
    private readonly cache: ClusterCache,
    private readonly plans: SystemPlans,
    private readonly signals: HealthSignalRepository,
    private readonly policy: Policy,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly log: Logger,
    private readonly metrics: SignalMetrics = noMetrics,
  ) {}

  /** `at` null: now, on the cluster's clock. */
  async report(by: Principal, report: Omit<SignalReport, 'at'> & { at: Date | null }): Promise<HealthSignal> {
    requireRole(by, 'operator', 'report node health')
    const now = this.clock.now()
    return this.handle(checkReport({ ...report, at: report.at ?? now }, now), by.subject)
  }

  list(by: Principal, filter: SignalFilter): Promise<HealthSignal[]> {
    requireRole(by, 'viewer', 'read health signals')
    return this.signals.list(filter)
  }

  /** Active signals of one source (a Node condition watcher starting up). */
  async active(source: string): Promise<HealthSignal[]> {
    return (await this.signals.list({ state: 'ACTIVE' })).filter((s) => s.source === source)
  }

  /** A checked report, from the API or a Node condition. */
  async handle(report: SignalReport, actor: string): Promise<HealthSignal> {
    requireSynced(this.cache)
    if (!this.cache.node(report.node)) throw new NodeplanError('BAD_USER_INPUT', `no node named "${report.node}" in the cluster`, { field: 'node' })
    const action = report.cleared ? 'RECORD' : ruleFor(this.policy.signals, report)
    const signal = await this.signals.record(report, {
      actor,
      action: 'signal.received',
      node: report.node,
      detail: { source: report.source, code: report.code, severity: report.severity, message: report.message, at: report.at.toISOString(), cleared: report.cleared, action },
    })
    this.metrics.received(report.source, action)
    if (report.cleared) {
      await this.cleared(signal)
      return signal
    }
    if (action === 'RECORD') return signal
    return (await this.propose(signal, action, actor)) ?? signal
  }

  private async propose(signal: HealthSignal, action: SignalAction, actor: string): Promise<HealthSignal | null> {
    if (signal.outcome === 'PROPOSED' || signal.outcome === 'AUTO_APPLIED') {
      this.metrics.proposal('joined')
      return null
    }
    const node = this.cache.node(signal.node)
    if (!node || isDrained(node)) return null
    const key = { node: signal.node, source: signal.source, code: signal.code }
    const pending = await this.plans.pendingFor(signal.node, 'DRAIN')
    if (pending.length > 0) {
      // Another fault of the same node already has a drain on the way: this one joins it.
      await this.signals.settle(key, pending[0]!.id, 'PROPOSED')
      this.metrics.proposal('joined')
      return { ...signal, outcome: 'PROPOSED', planId: pending[0]!.id }
    }
    const now = this.clock.now()
    const guard = this.policy.signals.stormGuard
    const total = this.cache.nodeList().length
    const verdict = await this.signals.reserve(key, now, new Date(now.getTime() - guard.windowSeconds * 1000), (proposed) => stormAllows(guard, proposed, total), {
      actor,
      action: 'signal.held',
      node: signal.node,
      detail: { source: signal.source, code: signal.code, severity: signal.severity, message: signal.message, stormGuard: { ...guard }, nodes: total },
    })
    if (verdict === 'taken') {
      this.metrics.proposal('joined')
      return null
    }
    if (verdict === 'held') {
      this.metrics.proposal('held')
      this.log.warn('storm guard: drain proposal held back', { node: signal.node, source: signal.source, code: signal.code, ...guard })
      return { ...signal, outcome: 'HELD' }
    }
    let plan: Plan | null
    try {
      // The reservation above already makes this fault's proposal one across replicas; the key
      // makes the write itself idempotent too.
      plan = await this.plans.propose(
        planDrain(this.cache.snapshot(), { nodes: [signal.node], reason: drainReason(signal), createdBy: SYSTEM_PRINCIPAL.subject, changeReason: 'REQUESTED' }),
        `signal-drain:${signal.node}:${signal.source}:${signal.code}:${now.toISOString()}`,
      )
    } catch (err) {
      await this.signals.settle(key, null, 'RECORDED')
      throw err
    }
    if (!plan) {
      this.metrics.proposal('joined')
      return null
    }
    const planId = plan.id
    const auto = action === 'AUTO_DRAIN' && !this.plans.needsApproval('DRAIN')
    await this.signals.settle(key, planId, auto ? 'AUTO_APPLIED' : 'PROPOSED')
    this.metrics.proposal(auto ? 'auto_applied' : 'proposed')
    this.log.warn('proposed the drain of a node with a health fault', { node: signal.node, source: signal.source, code: signal.code, planId, auto })
    if (auto) await this.plans.apply(plan, 'policy applies drains for this signal', { node: signal.node })
    return { ...signal, outcome: auto ? 'AUTO_APPLIED' : 'PROPOSED', proposedAt: now, planId }
  }

  /** The node's last active fault is over: its signal-made DRAIN goes if pending, or gets its UNDRAIN if applied. */
  private async cleared(signal: HealthSignal): Promise<void> {
    const rows = await this.signals.list({ node: signal.node })
    if (rows.some((r) => r.state === 'ACTIVE')) return
    const ours = new Set(rows.map((r) => r.planId).filter((id): id is string => id !== null))
    await this.plans.discardPending(signal.node, 'DRAIN', (plan) => ours.has(plan.id))
    const node = this.cache.node(signal.node)
    if (!node || !isDrained(node)) return
    const drain = await this.plans.lastApplied('DRAIN', signal.node)
    if (!drain || !ours.has(drain.id)) return
    if ((await this.plans.pendingFor(signal.node, 'UNDRAIN')).length > 0) return
    const reason = `health signal cleared: ${signal.source} ${signal.code} on ${signal.node}; lifts the drain of plan ${drain.id}`
    const plan = await this.plans.propose(
      planUndrain(this.cache.snapshot(), { nodes: [signal.node], reason, createdBy: SYSTEM_PRINCIPAL.subject, changeReason: 'REQUESTED' }),
      `signal-undrain:${drain.id}`,
    )
    if (!plan) return
    this.log.info('proposed the undrain of a node whose fault cleared', { node: signal.node, planId: plan.id, drainPlanId: drain.id })
  }
}
