// The use cases of rollouts a person calls: plan, approve, start, pause, resume, abort, discard,
// completeMaintenance. The runner (rollout-runner.ts) does the waves.
import { roleAtLeast, type Principal } from '../auth.js'
import { NodeplanError } from '../domain/errors.js'
import { forecast, type NodeDurations, type RolloutForecast } from '../domain/rollout-forecast.js'
import { planRollout } from '../domain/rollout-waves.js'
import { FINAL_ROLLOUT_STATUSES, type Rollout, type RolloutRequest, type RolloutStatus } from '../domain/rollout.js'
import { requireRole } from './access.js'
import type { Policy } from './policy.js'
import type { AuditInput, AuditRepository, Clock, ClusterCache, Page } from './ports.js'
import type { RolloutListQuery, RolloutRepository } from './rollout-ports.js'

/** The audit action that records one node's measured durations when it returns to service. */
export const NODE_RETURNED = 'rollout.node.returned'
const HISTORY = 200

export class RolloutService {
  /** Called after a person's change so the runner acts at once rather than at its next pass. */
  private kick: (id: string) => void = () => {}

  constructor(
    private readonly cache: ClusterCache,
    private readonly rollouts: RolloutRepository,
    private readonly audit: AuditRepository,
    private readonly policy: Policy,
    private readonly clock: Pick<Clock, 'now'>,
    /** The cluster rollouts run on: the only one, or the clusters file's first. */
    private readonly clusterName = 'default',
  ) {}

  onChange(kick: (id: string) => void): void {
    this.kick = kick
  }

  async plan(by: Principal, request: Omit<RolloutRequest, 'createdBy'>, cluster: string | null = null): Promise<Rollout> {
    requireRole(by, 'operator', 'plan a rollout')
    this.requireCluster(by)
    if (cluster !== null && by.clusters != null && !by.clusters.includes(cluster)) {
      throw new NodeplanError('FORBIDDEN', `this token may not use cluster "${cluster}"`, { cluster })
    }
    if (cluster !== null && cluster !== this.clusterName) {
      throw new NodeplanError('BAD_USER_INPUT', `cluster: rollouts run on cluster "${this.clusterName}" (the clusters file's first) in this version, not "${cluster}"`, { field: 'cluster' })
    }
    if (!this.cache.synced()) throw new NodeplanError('KUBERNETES_UNAVAILABLE', 'the cluster state has not been read yet; retry shortly and check /readyz')
    const draft = { ...planRollout(this.cache.snapshot(), { ...request, createdBy: by.subject }), cluster: this.clusterName }
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
  /** A token limited to other clusters (tokens file `clusters`) sees no rollout and changes none. */
  visibleTo(by: Principal): boolean {
    return by.clusters == null || by.clusters.includes(this.clusterName)
  }

  private requireCluster(by: Principal): void {
    if (!this.visibleTo(by)) throw new NodeplanError('FORBIDDEN', `this token may not use cluster "${this.clusterName}", where rollouts run`, { cluster: this.clusterName })
  }

  needsApproval(): boolean {
    return this.policy.requireApproval.includes('DRAIN') || this.policy.requireApproval.includes('UNDRAIN')
  }

  awaitsApprovalFrom(by: Principal, rollout: Pick<Rollout, 'status' | 'createdBy'>): boolean {
    return rollout.status === 'PENDING' && this.needsApproval() && rollout.createdBy !== by.subject && roleAtLeast(by.role, this.policy.approverRole)
  }

  async approve(by: Principal, id: string): Promise<Rollout> {
    requireRole(by, this.policy.approverRole, 'approve rollouts')
    this.requireCluster(by)
    return this.change(id, ['PENDING'], 'approved', (r) => {
      if (r.createdBy === by.subject) {
        throw new NodeplanError('FORBIDDEN', `${by.subject} planned rollout ${id} and so may not approve it: another ${this.policy.approverRole} must (four eyes)`)
      }
      return { next: { ...r, status: 'APPROVED', approvedBy: by.subject }, audit: [{ actor: by.subject, action: 'rollout.approved', detail: { reason: r.reason } }] }
    })
  }

  async start(by: Principal, id: string): Promise<Rollout> {
    requireRole(by, 'operator', 'start rollouts')
    this.requireCluster(by)
    const from: RolloutStatus[] = this.needsApproval() ? ['APPROVED'] : ['PENDING', 'APPROVED']
    const started = await this.change(id, from, 'started', (r) => ({
      next: { ...r, status: 'SCHEDULED', startedAt: this.clock.now(), waitingFor: 'the rollout runner to pick it up' },
      audit: [{ actor: by.subject, action: 'rollout.started', detail: { reason: r.reason, approvedBy: r.approvedBy } }],
    }), this.needsApproval() ? `; it needs approval first: another ${this.policy.approverRole} approves it (approveRollout)` : '')
    this.kick(id)
    return started
  }

  async pause(by: Principal, id: string): Promise<Rollout> {
    requireRole(by, 'operator', 'pause rollouts')
    this.requireCluster(by)
    return this.change(id, ['SCHEDULED', 'RUNNING', 'PAUSED'], 'paused', (r) => ({
      next: { ...r, status: 'PAUSED', pausedBy: 'PERSON', waitingFor: `resumeRollout: paused by ${by.subject}` },
      audit: [{ actor: by.subject, action: 'rollout.paused', detail: { wave: currentIndex(r) } }],
    }))
  }

  async resume(by: Principal, id: string): Promise<Rollout> {
    requireRole(by, 'operator', 'resume rollouts')
    this.requireCluster(by)
    const resumed = await this.change(id, ['PAUSED'], 'resumed', (r) => ({
      next: { ...r, status: r.waves.some((w) => w.startedAt) ? 'RUNNING' : 'SCHEDULED', pausedBy: null, waitingFor: null },
      audit: [{ actor: by.subject, action: 'rollout.resumed', detail: { wave: currentIndex(r) } }],
    }))
    this.kick(id)
    return resumed
  }

  /** Stops it for good: nodes not yet drained are skipped, drained ones stay drained (leftDrained). */
  async abort(by: Principal, id: string, reason: string): Promise<Rollout> {
    requireRole(by, 'operator', 'abort rollouts')
    this.requireCluster(by)
    if (typeof reason !== 'string' || reason.trim() === '') throw new NodeplanError('BAD_USER_INPUT', 'reason: say why the rollout is aborted', { field: 'reason' })
    return this.change(id, ['PENDING', 'APPROVED', 'SCHEDULED', 'RUNNING', 'PAUSED'], 'aborted', (r) => {
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
    this.requireCluster(by)
    return this.change(id, ['PENDING', 'APPROVED'], 'discarded', (r) => ({
      next: { ...r, status: 'DISCARDED', finishedAt: this.clock.now() },
      audit: [{ actor: by.subject, action: 'rollout.discarded', detail: { reason: r.reason } }],
    }))
  }

  /** The node's maintenance is done: the runner checks it and returns it to service. */
  async completeMaintenance(by: Principal, id: string, node: string): Promise<Rollout> {
    requireRole(by, 'operator', 'complete maintenance')
    this.requireCluster(by)
    const done = await this.change(id, ['RUNNING', 'PAUSED', 'SCHEDULED'], 'told a maintenance is done', (r) => {
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
    this.kick(id)
    return done
  }

  /** The time windows and forecasts are read at. */
  now(): Date {
    return this.clock.now()
  }

  async get(id: string): Promise<Rollout> {
    const rollout = await this.rollouts.get(id)
    if (!rollout) throw new NodeplanError('NOT_FOUND', `no rollout with id "${id}"`, { rolloutId: id })
    return rollout
  }

  find(id: string): Promise<Rollout | null> {
    return this.rollouts.get(id)
  }

  list(query: RolloutListQuery): Promise<Page<Rollout>> {
    return this.rollouts.list(query)
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
    id: string,
    from: RolloutStatus[],
    verb: string,
    edit: (r: Rollout) => { next: Rollout; audit: AuditInput[] },
    hint = '',
  ): Promise<Rollout> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const rollout = await this.get(id)
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
