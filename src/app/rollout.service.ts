// The use cases of rollouts a person calls: plan, approve, start, pause, resume, abort, discard,
// completeMaintenance. The runner (rollout-runner.ts) does the waves.
import { roleAtLeast, type Principal } from '../auth.js'
import { NodeplanError } from '../domain/errors.js'
import { forecast, type NodeDurations, type RolloutForecast } from '../domain/rollout-forecast.js'
import { planRollout } from '../domain/rollout-waves.js'
import type { Rollout, RolloutRequest, RolloutStatus } from '../domain/rollout.js'
import { requireRole } from './access.js'
import type { Fleet } from './fleet.js'
import type { Policy } from './policy.js'
import type { AuditInput, AuditRepository, Clock, Page } from './ports.js'
import type { RolloutListQuery, RolloutRepository } from './rollout-ports.js'
import { requireSynced } from './cluster-state.js'

/** The audit action that records one node's measured durations when it returns to service. */
export const NODE_RETURNED = 'rollout.node.returned'
const HISTORY = 200

export class RolloutService {
  /** Called after a person's change so the cluster's runner acts at once rather than at its next pass. */
  private kick: (rollout: Rollout) => void = () => {}

  constructor(
    /** Each rollout runs on one cluster of the fleet, and a token sees the rollouts of its clusters. */
    private readonly fleet: Fleet,
    private readonly rollouts: RolloutRepository,
    private readonly audit: AuditRepository,
    private readonly policy: Policy,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  onChange(kick: (rollout: Rollout) => void): void {
    this.kick = kick
  }

  async plan(by: Principal, request: Omit<RolloutRequest, 'createdBy'>, cluster: string | null = null): Promise<Rollout> {
    requireRole(by, 'operator', 'plan a rollout')
    const { cache, name } = this.fleet.reachable(by, cluster, 'planRollout')
    requireSynced(cache)
    const draft = { ...planRollout(cache.snapshot(), { ...request, createdBy: by.subject }), cluster: name }
    return this.rollouts.create(draft, {
      actor: by.subject,
      action: 'rollout.planned',
      detail: {
        reason: draft.reason,
        waves: draft.waves.map((w) => w.nodes.map((n) => n.name)),
        maxUnavailable: draft.maxUnavailable,
        minGpusInService: draft.minGpusInService,
        drainMode: draft.drainMode,
        needsApproval: this.needsApproval(),
      },
    })
  }

  /** A rollout drains and undrains: it needs approval when policy asks it of DRAIN or UNDRAIN plans. */
  needsApproval(): boolean {
    return this.policy.requireApproval.includes('DRAIN') || this.policy.requireApproval.includes('UNDRAIN')
  }

  awaitsApprovalFrom(by: Principal, rollout: Pick<Rollout, 'status' | 'createdBy'>): boolean {
    return rollout.status === 'PENDING' && this.needsApproval() && rollout.createdBy !== by.subject && roleAtLeast(by.role, this.policy.approverRole)
  }

  async approve(by: Principal, id: string): Promise<Rollout> {
    requireRole(by, this.policy.approverRole, 'approve rollouts')
    return this.change(by, id, ['PENDING'], 'approved', (r) => {
      if (r.createdBy === by.subject) {
        throw new NodeplanError('FORBIDDEN', `${by.subject} planned rollout ${id} and so may not approve it: another ${this.policy.approverRole} must (four eyes)`)
      }
      return { next: { ...r, status: 'APPROVED', approvedBy: by.subject }, audit: [{ actor: by.subject, action: 'rollout.approved', detail: { reason: r.reason } }] }
    })
  }

  async start(by: Principal, id: string): Promise<Rollout> {
    requireRole(by, 'operator', 'start rollouts')
    const from: RolloutStatus[] = this.needsApproval() ? ['APPROVED'] : ['PENDING', 'APPROVED']
    const started = await this.change(by, id, from, 'started', (r) => ({
      next: { ...r, status: 'SCHEDULED', startedAt: this.clock.now(), waitingFor: 'the rollout runner to pick it up' },
      audit: [{ actor: by.subject, action: 'rollout.started', detail: { reason: r.reason, approvedBy: r.approvedBy } }],
    }), this.needsApproval() ? `; it needs approval first: another ${this.policy.approverRole} approves it (approveRollout)` : '')
    this.kick(started)
    return started
  }

  async pause(by: Principal, id: string): Promise<Rollout> {
    requireRole(by, 'operator', 'pause rollouts')
    return this.change(by, id, ['SCHEDULED', 'RUNNING', 'PAUSED'], 'paused', (r) => ({
      next: { ...r, status: 'PAUSED', pausedBy: 'PERSON', waitingFor: `resumeRollout: paused by ${by.subject}` },
      audit: [{ actor: by.subject, action: 'rollout.paused', detail: { wave: currentIndex(r) } }],
    }))
  }

  async resume(by: Principal, id: string): Promise<Rollout> {
    requireRole(by, 'operator', 'resume rollouts')
    const resumed = await this.change(by, id, ['PAUSED'], 'resumed', (r) => ({
      next: { ...r, status: r.waves.some((w) => w.startedAt) ? 'RUNNING' : 'SCHEDULED', pausedBy: null, waitingFor: null },
      audit: [{ actor: by.subject, action: 'rollout.resumed', detail: { wave: currentIndex(r) } }],
    }))
    this.kick(resumed)
    return resumed
  }

  /** Stops it for good: nodes not yet drained are skipped, drained ones stay drained (leftDrained). */
  async abort(by: Principal, id: string, reason: string): Promise<Rollout> {
    requireRole(by, 'operator', 'abort rollouts')
    if (typeof reason !== 'string' || reason.trim() === '') throw new NodeplanError('BAD_USER_INPUT', 'reason: say why the rollout is aborted', { field: 'reason' })
    return this.change(by, id, ['PENDING', 'APPROVED', 'SCHEDULED', 'RUNNING', 'PAUSED'], 'aborted', (r) => {
      const now = this.clock.now()
      const leftDrained: string[] = []
      const waves = r.waves.map((w) => {
        if (w.status !== 'WAITING' && w.status !== 'RUNNING') return w
        const nodes = w.nodes.map((n) => {
          if (n.stage === 'WAITING') return { ...n, stage: 'SKIPPED' as const }
          if (n.stage !== 'DONE' && n.stage !== 'SKIPPED') leftDrained.push(n.name)
          return n
        })
        return { ...w, nodes, status: 'ABORTED' as const, finishedAt: w.startedAt ? now : null }
      })
      return {
        next: { ...r, waves, status: 'ABORTED', finishedAt: now, pausedBy: null, waitingFor: null, leftDrained: [...new Set([...r.leftDrained, ...leftDrained])], error: `aborted by ${by.subject}: ${reason}` },
        audit: [{ actor: by.subject, action: 'rollout.aborted', detail: { reason, leftDrained } }],
      }
    })
  }

  async discard(by: Principal, id: string): Promise<Rollout> {
    requireRole(by, 'operator', 'discard rollouts')
    return this.change(by, id, ['PENDING', 'APPROVED'], 'discarded', (r) => ({
      next: { ...r, status: 'DISCARDED', finishedAt: this.clock.now() },
      audit: [{ actor: by.subject, action: 'rollout.discarded', detail: { reason: r.reason } }],
    }))
  }

  /** The node's maintenance is done: the runner checks it and returns it to service. */
  async completeMaintenance(by: Principal, id: string, node: string): Promise<Rollout> {
    requireRole(by, 'operator', 'complete maintenance')
    const done = await this.change(by, id, ['RUNNING', 'PAUSED', 'SCHEDULED'], 'told a maintenance is done', (r) => {
      const wave = r.waves.find((w) => w.nodes.some((n) => n.name === node))
      const current = wave?.nodes.find((n) => n.name === node)
      if (!wave || !current) throw new NodeplanError('BAD_USER_INPUT', `node: ${node} is not a node of rollout ${id}`, { field: 'node', node })
      if (current.stage !== 'IN_MAINTENANCE') {
        throw new NodeplanError('PLAN_NOT_APPLICABLE', `node ${node} is ${current.stage} in rollout ${id}: only a node IN_MAINTENANCE (drained and handed over) can be reported done`, { node, stage: current.stage })
      }
      const now = this.clock.now()
      const nodes = wave.nodes.map((n) => (n.name === node ? { ...n, stage: 'CHECKING' as const, maintenanceDoneAt: now, maintenanceDoneBy: by.subject } : n))
      return {
        next: { ...r, waves: r.waves.map((w) => (w === wave ? { ...w, nodes } : w)) },
        audit: [{ actor: by.subject, action: 'rollout.maintenance.completed', node, detail: { wave: wave.index } }],
      }
    })
    this.kick(done)
    return done
  }

  /** The time windows and forecasts are read at. */
  now(): Date {
    return this.clock.now()
  }

  /** The rollout, or null when there is none or it runs on a cluster the caller's token does not cover. */
  async find(by: Principal, id: string): Promise<Rollout | null> {
    const rollout = await this.rollouts.get(id)
    return rollout && this.fleet.mayUse(by, rollout.cluster) ? rollout : null
  }

  /** The rollouts of the named cluster, or of every cluster the caller may see. */
  list(by: Principal, query: Omit<RolloutListQuery, 'clusters'>, cluster: string | null = null): Promise<Page<Rollout>> {
    const clusters = cluster === null ? this.fleet.limits(by) : [this.fleet.pick(by, cluster, 'rollouts').name]
    return this.rollouts.list({ ...query, clusters })
  }

  /** The forecast from the durations past rollouts measured (the newest 200 nodes). */
  async forecast(rollout: Rollout): Promise<RolloutForecast> {
    const page = await this.audit.list({ action: NODE_RETURNED }, HISTORY, null)
    const history: NodeDurations[] = page.items.flatMap((e) => {
      const d = e.detail as Partial<NodeDurations> | null
      return d && typeof d.drainSeconds === 'number' && typeof d.maintenanceSeconds === 'number' ? [{ drainSeconds: d.drainSeconds, maintenanceSeconds: d.maintenanceSeconds }] : []
    })
    return forecast(rollout, history, this.clock.now())
  }

  /** Read, check the status, change, compare-and-set; again when the runner wrote in between. */
  private async change(
    by: Principal,
    id: string,
    from: RolloutStatus[],
    verb: string,
    edit: (r: Rollout) => { next: Rollout; audit: AuditInput[] },
    hint = '',
  ): Promise<Rollout> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const rollout = await this.rollouts.get(id)
      if (!rollout) throw new NodeplanError('NOT_FOUND', `no rollout with id "${id}"`, { rolloutId: id })
      this.fleet.ofStored(by, 'rollout', rollout)
      if (!from.includes(rollout.status)) {
        throw new NodeplanError('PLAN_NOT_APPLICABLE', `rollout ${id} is ${rollout.status} and cannot be ${verb}: only a rollout that is ${from.join(' or ')} can${hint}`, { rolloutId: id, status: rollout.status })
      }
      const { next, audit } = edit(rollout)
      const saved = await this.rollouts.save(next, audit)
      if (saved) return saved
    }
    throw new NodeplanError('INTERNAL_SERVER_ERROR', `rollout ${id} kept changing while it was being ${verb}; try again`)
  }
}

const currentIndex = (r: Rollout): number | null => r.waves.find((w) => w.status === 'RUNNING' || w.status === 'WAITING')?.index ?? null
