// Drives started rollouts wave by wave: gate (notBefore, window, freeze), guard, staleness, drain
// (an ordinary DRAIN plan applied through ApplyService), hand-over, maintenance done (a person, or
// a reboot), check, undrain (an ordinary UNDRAIN plan), next wave. Every step is a compare-and-set
// write of the rollout with its audit events, and every step can be taken again after a crash: a
// wave's plans are made once per key and found again by their rollout. One replica drives a
// rollout at a time: the holder of its lease (as an apply's), renewed on each pass. Each cluster
// has its own runner, driving that cluster's rollouts.
import type { Logger } from '../logger.js'
import { NodeplanError } from '../domain/errors.js'
import { freezeAt, nextOpening, openWindowAt } from '../domain/maintenance-window.js'
import type { Plan, PlanKind } from '../domain/plan.js'
import { guardFigures } from '../domain/rollout-waves.js'
import { checkReturned, trainingLeft, wavePlanDraft, type WavePlanKind } from '../domain/rollout-steps.js'
import { ACTIVE_ROLLOUT_STATUSES, currentWave, FINAL_ROLLOUT_STATUSES, type Rollout, type RolloutNode, type RolloutWave } from '../domain/rollout.js'
import { isDrained } from '../domain/system-nodes.js'
import { staleness } from '../domain/staleness.js'
import type { ApplyService } from './apply.service.js'
import { SYSTEM_PRINCIPAL } from './system-principal.js'
import type { Policy } from './policy.js'
import type { AuditInput, Clock, ClusterCache, PlanRepository } from './ports.js'
import type { RolloutRepository } from './rollout-ports.js'
import { NODE_RETURNED } from './rollout.service.js'

/** The cluster a runner drives rollouts on: its cache, and its plans and applies. */
export interface RolloutCluster {
  name: string
  cache: ClusterCache
  planRepository: PlanRepository
  applier: ApplyService
}

export interface RolloutRunnerOptions {
  /** This replica in a rollout's lease (its hostname: a restarted replica takes its own rollouts back at once). */
  owner: string
  leaseMs: number
  /** The leases' time: every replica's system clock. */
  leaseClock: Pick<Clock, 'now'>
}

const MAX_STEPS_PER_PASS = 64
const SYSTEM = SYSTEM_PRINCIPAL.subject

/** A step's outcome: the rollout as stored after it (go on), or null (it waits; this pass stops). */
type Step = Promise<Rollout | null>

export class RolloutRunner {
  private timer: NodeJS.Timeout | null = null
  private passing: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(
    private readonly cluster: RolloutCluster,
    private readonly rollouts: RolloutRepository,
    private readonly policy: Policy,
    /** The cluster's time: windows, notBefore, drain timeouts, measured durations. */
    private readonly clock: Pick<Clock, 'now'>,
    private readonly log: Logger,
    private readonly options: RolloutRunnerOptions,
  ) {}

  /** Passes every `intervalMs` (0: only when tick() is called, as tests do). */
  start(intervalMs: number): void {
    this.stopped = false
    if (intervalMs <= 0 || this.timer) return
    this.timer = setInterval(() => void this.tick(), intervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.passing
  }

  /** One pass over every active rollout whose lease this replica holds or can take. Passes never overlap. */
  tick(): Promise<void> {
    const pass = this.passing.then(() => this.pass())
    this.passing = pass.catch((err: unknown) => this.log.error('a rollout pass failed', { error: err }))
    return this.passing
  }

  private async pass(): Promise<void> {
    if (this.stopped || !this.cluster.cache.synced()) return
    for (const rollout of await this.rollouts.active(this.cluster.name)) {
      const now = this.options.leaseClock.now()
      if (!(await this.rollouts.takeLease(rollout.id, this.options.owner, now, new Date(now.getTime() + this.options.leaseMs)))) continue
      await this.drive(rollout).catch((err: unknown) => this.log.error('driving a rollout failed; the next pass tries again', { rolloutId: rollout.id, error: err }))
    }
  }

  private async drive(start: Rollout): Promise<void> {
    let rollout: Rollout | null = start
    for (let i = 0; rollout && i < MAX_STEPS_PER_PASS && !this.stopped; i++) rollout = await this.step(rollout)
    const last = await this.rollouts.get(start.id)
    if (last && FINAL_ROLLOUT_STATUSES.includes(last.status)) await this.rollouts.releaseLease(start.id, this.options.owner)
  }

  private async step(r: Rollout): Step {
    if (!ACTIVE_ROLLOUT_STATUSES.includes(r.status) || (r.status === 'PAUSED' && r.pausedBy === 'PERSON')) return null
    const wave = currentWave(r)
    const now = this.clock.now()
    if (!wave) {
      return this.save(r, { ...r, status: 'COMPLETED', finishedAt: now, waitingFor: null, pausedBy: null }, [{ actor: SYSTEM, action: 'rollout.completed', detail: { waves: r.waves.length } }])
    }
    if (wave.status === 'WAITING') return this.startWave(r, wave, now)
    if (wave.nodes.some((n) => n.stage === 'DRAINING')) return this.drain(r, wave, now)
    if (wave.nodes.some((n) => n.stage === 'IN_MAINTENANCE')) return this.awaitMaintenance(r, wave, now)
    return this.checkAndUndrain(r, wave, now)
  }

  /** Why a wave may not start now (notBefore, the window, a freeze); null when it may. */
  private gate(r: Rollout, now: Date): { text: string; until: Date | null } | null {
    if (r.notBefore && now < r.notBefore) return { text: `notBefore: no wave starts before ${r.notBefore.toISOString()}`, until: r.notBefore }
    if (r.window && !openWindowAt(r.window, now)) {
      const opens = nextOpening(r.window, now)
      return { text: `the maintenance window "${r.window.cron}" (${r.window.timeZone}) to open${opens ? ` at ${opens.toISOString()}` : ''}`, until: opens }
    }
    const freeze = freezeAt(this.policy.freezes, this.options.leaseClock.now())
    if (freeze) return { text: `the freeze until ${freeze.until.toISOString()} (${freeze.reason}) to end: no plan is applied during a freeze`, until: freeze.until }
    return null
  }

  private async startWave(r: Rollout, wave: RolloutWave, now: Date): Step {
    const gate = this.gate(r, now)
    if (gate) {
      const started = r.waves.some((w) => w.startedAt !== null)
      return this.wait(r, gate.text, { status: started ? 'PAUSED' : 'SCHEDULED', pausedBy: started ? 'WINDOW' : null }, gate.until)
    }
    const names = wave.nodes.map((n) => n.name)
    await this.cluster.cache.refresh(names, { pods: false })
    const waveNames = new Set(names)
    let othersOut = 0
    for (const w of r.waves) {
      for (const n of w.nodes) {
        const live = this.cluster.cache.node(n.name)
        if (!waveNames.has(n.name) && live && (!live.ready || isDrained(live))) othersOut++
      }
    }
    const guard = guardFigures(this.cluster.cache.nodeList(), waveNames, othersOut, r)
    if (!guard.satisfied) {
      const waves = r.waves.map((w) => (w === wave ? { ...w, guard } : w))
      return this.wait({ ...r, waves }, `the capacity guard to allow wave ${wave.index + 1}: ${guard.reason}`, { status: 'RUNNING', pausedBy: null }, null)
    }
    const stale = staleness(wave.inputs, (name) => this.cluster.cache.node(name))
    if (stale.length > 0) {
      const error = `PLAN_STALE: wave ${wave.index + 1} is stale, its nodes changed since the rollout was planned: ${stale.map((s) => s.message).join('; ')}. Plan the rollout again from the live state.`
      return this.fail(r, { ...wave, status: 'FAILED', finishedAt: now }, error, [])
    }
    const nodes = wave.nodes.map((n) => ({ ...n, stage: 'DRAINING' as const, bootId: this.cluster.cache.node(n.name)?.bootId ?? null }))
    const started = { ...wave, status: 'RUNNING' as const, startedAt: now, guard, nodes }
    return this.save(r, { ...replaceWave(r, started), status: 'RUNNING', pausedBy: null, waitingFor: null }, [
      { actor: SYSTEM, action: 'rollout.wave.started', detail: { wave: wave.index, nodes: names, guard: { ...guard } } },
    ])
  }

  private async drain(r: Rollout, wave: RolloutWave, now: Date): Step {
    if (r.drainMode === 'GRACEFUL') {
      ;({ r, wave } = await this.withPlan(r, wave, 'grace'))
      const grace = await this.applyPlan(r, wave, wave.gracePlanId!)
      if (!grace) return null
      const first = wave.nodes[0]!
      if (first.noScheduleAt === null) {
        const nodes = wave.nodes.map((n) => ({ ...n, noScheduleAt: now }))
        return this.save(r, replaceWave(r, { ...wave, nodes }), [{ actor: SYSTEM, action: 'rollout.wave.cordoned', detail: { wave: wave.index, taint: 'runai=drain:NoSchedule', planId: grace.id } }])
      }
      if (!wave.drainPlanId) {
        const training = wave.nodes.flatMap((n) => trainingLeft(this.cluster.cache.podsOn(n.name)))
        const deadline = new Date(first.noScheduleAt.getTime() + r.drainTimeoutSeconds * 1000)
        if (training.length > 0 && now < deadline) {
          return this.wait(r, `training workloads to finish before the NoExecute taint (until ${deadline.toISOString()} at the latest): ${training.join(', ')}`, { status: 'RUNNING' }, deadline)
        }
      }
    }
    ;({ r, wave } = await this.withPlan(r, wave, 'drain'))
    const drained = await this.applyPlan(r, wave, wave.drainPlanId!)
    if (!drained) return null
    const nodes = wave.nodes.map((n) => ({ ...n, stage: 'IN_MAINTENANCE' as const, drainedAt: now }))
    return this.save(r, { ...replaceWave(r, { ...wave, nodes }), waitingFor: null }, [
      { actor: SYSTEM, action: 'rollout.wave.drained', detail: { wave: wave.index, nodes: nodes.map((n) => n.name), planId: drained.id, handedOver: true } },
    ])
  }

  private async awaitMaintenance(r: Rollout, wave: RolloutWave, now: Date): Step {
    const audit: AuditInput[] = []
    const nodes = wave.nodes.map((n): RolloutNode => {
      if (n.stage !== 'IN_MAINTENANCE' || !r.completeOnReboot) return n
      const live = this.cluster.cache.node(n.name)
      if (!live?.ready || !live.bootId || !n.bootId || live.bootId === n.bootId) return n
      audit.push({ actor: SYSTEM, action: 'rollout.maintenance.completed', node: n.name, detail: { wave: wave.index, by: 'reboot', bootId: live.bootId } })
      return { ...n, stage: 'CHECKING', maintenanceDoneAt: now, maintenanceDoneBy: 'reboot' }
    })
    if (audit.length > 0) return this.save(r, replaceWave(r, { ...wave, nodes }), audit)
    const waiting = nodes.filter((n) => n.stage === 'IN_MAINTENANCE').map((n) => n.name)
    return this.wait(r, `the maintenance of ${waiting.join(', ')}: completeMaintenance(rolloutId, node)${r.completeOnReboot ? ' or a reboot (bootID changed, Ready again)' : ''}`, { status: 'RUNNING' }, null)
  }

  private async checkAndUndrain(r: Rollout, wave: RolloutWave, now: Date): Step {
    if (!wave.undrainPlanId) {
      await this.cluster.cache.refresh(wave.nodes.map((n) => n.name), { pods: false })
      const failures = wave.nodes.map((n) => ({ node: n, error: checkReturned(this.cluster.cache.node(n.name), n.name, n.gpus) })).filter((f) => f.error !== null)
      if (failures.length > 0) {
        const failed = new Map(failures.map((f) => [f.node.name, f.error!]))
        const nodes = wave.nodes.map((n) => (failed.has(n.name) ? { ...n, stage: 'FAILED' as const, error: failed.get(n.name)! } : n))
        const error = `wave ${wave.index + 1}: the check after maintenance failed: ${[...failed.values()].join('; ')}; the wave's nodes are left drained`
        return this.fail(r, { ...wave, nodes, status: 'FAILED', finishedAt: now }, error, wave.nodes.map((n) => n.name))
      }
    }
    ;({ r, wave } = await this.withPlan(r, wave, 'undrain'))
    const undrained = await this.applyPlan(r, wave, wave.undrainPlanId!)
    if (!undrained) return null
    const nodes = wave.nodes.map((n) => ({ ...n, stage: 'DONE' as const, returnedAt: now }))
    const measured = nodes.map((n): AuditInput => ({
      actor: SYSTEM,
      action: NODE_RETURNED,
      node: n.name,
      detail: { wave: wave.index, drainSeconds: seconds(wave.startedAt, n.drainedAt), maintenanceSeconds: seconds(n.drainedAt, n.maintenanceDoneAt), maintenanceDoneBy: n.maintenanceDoneBy },
    }))
    return this.save(r, { ...replaceWave(r, { ...wave, nodes, status: 'DONE', finishedAt: now }), waitingFor: null }, [
      ...measured,
      { actor: SYSTEM, action: 'rollout.wave.done', detail: { wave: wave.index, planId: undrained.id } },
    ])
  }

  /**
   * The wave's plan of this kind, made once (per rollout, wave and kind, across replicas and
   * restarts), with its id on the wave. Not saved here: it is saved with the step's outcome, and a
   * step interrupted before that finds the plan again by its key.
   */
  private async withPlan(r: Rollout, wave: RolloutWave, kind: WavePlanKind): Promise<{ r: Rollout; wave: RolloutWave }> {
    const field = kind === 'grace' ? 'gracePlanId' : kind === 'drain' ? 'drainPlanId' : 'undrainPlanId'
    if (wave[field]) return { r, wave }
    // The nodes were read fresh when the wave started or was checked; the apply's writes are
    // guarded by each node's version anyway. The plan's impact needs only the pods on its nodes.
    const pods = wave.nodes.flatMap((n) => this.cluster.cache.podsOn(n.name))
    const draft = wavePlanDraft({ nodes: this.cluster.cache.nodeList(), pods, pdbs: this.cluster.cache.snapshot().pdbs }, r, wave, kind)
    const audit: AuditInput = {
      actor: r.createdBy,
      action: 'plan.created',
      node: draft.nodes.length === 1 ? draft.nodes[0] : null,
      detail: { kind: draft.kind, nodes: draft.nodes, reason: draft.reason, changes: draft.changes.filter((c) => c.action !== 'NO_OP').length, rolloutId: r.id, wave: wave.index, step: kind },
    }
    const made = (await this.cluster.planRepository.createOnce(`rollout:${r.id}:wave:${wave.index}:${kind}`, draft, audit)) ?? (await this.findPlan(r, wave, draft.kind, kind))
    if (!made) throw new Error(`the ${kind} plan of rollout ${r.id} wave ${wave.index + 1} was made before but cannot be found`)
    const next = { ...wave, [field]: made.id }
    return { r: replaceWave(r, next), wave: next }
  }

  /** A plan made before a crash whose id the rollout did not record yet. */
  private async findPlan(r: Rollout, wave: RolloutWave, kind: PlanKind, step: WavePlanKind): Promise<Plan | null> {
    const node = wave.nodes[0]!.name
    // GRACEFUL's NoSchedule plan and its drain are both DRAIN plans: the step's own taint tells them apart.
    const ofStep = (p: Plan) => p.rolloutId === r.id && p.changes.some((c) => c.node === node && c.address.endsWith(step === 'grace' ? ':NoSchedule' : ':NoExecute'))
    const pending = (await this.cluster.planRepository.pendingFor(node, kind)).find(ofStep)
    if (pending) return pending
    const applied = await this.cluster.planRepository.lastApplied(kind, node)
    return applied && ofStep(applied) ? applied : null
  }

  /**
   * Applies a wave's plan through the normal apply path (approved by the rollout's approval when
   * policy asks), unless it was applied already. The plan once APPLIED; null while it waits or
   * when it failed or was refused for good (the rollout is then FAILED).
   */
  private async applyPlan(r: Rollout, wave: RolloutWave, planId: string): Promise<Plan | null> {
    let plan = await this.cluster.planRepository.get(planId)
    if (!plan) throw new Error(`plan ${planId} of rollout ${r.id} is missing`)
    if (plan.status === 'APPLYING') return this.wait(r, `plan ${planId} to finish applying`, { status: 'RUNNING' }, null)
    if (plan.status === 'PENDING' || plan.status === 'APPROVED') {
      const freeze = freezeAt(this.policy.freezes, this.options.leaseClock.now())
      if (freeze) return this.wait(r, `the freeze until ${freeze.until.toISOString()} (${freeze.reason}) to end: no plan is applied during a freeze`, { status: 'RUNNING' }, freeze.until)
      if (plan.status === 'PENDING' && this.policy.requireApproval.includes(plan.kind)) {
        plan = (await this.cluster.planRepository.transition(planId, ['PENDING'], 'APPROVED', { approvedBy: r.approvedBy ?? SYSTEM }, {
          actor: r.approvedBy ?? SYSTEM,
          action: 'plan.approved',
          planId,
          detail: { kind: plan.kind, nodes: plan.nodes, reason: plan.reason, createdBy: plan.createdBy, rolloutId: r.id, byRolloutApproval: true },
        })) ?? (await this.cluster.planRepository.get(planId))!
      }
      try {
        plan = await this.cluster.applier.apply(SYSTEM_PRINCIPAL, planId)
      } catch (err) {
        // LOCKED: another plan is changing a node; PLAN_NOT_APPLICABLE: a freeze began, or another call moved the plan.
        if (err instanceof NodeplanError && (err.code === 'LOCKED' || err.code === 'PLAN_NOT_APPLICABLE')) return this.wait(r, err.message, { status: 'RUNNING' }, null)
        if (err instanceof NodeplanError && (err.code === 'PLAN_STALE' || err.code === 'APPROVAL_REQUIRED' || err.code === 'LAST_SYSTEM_NODE')) {
          return this.fail(r, { ...wave, status: 'FAILED', finishedAt: this.clock.now() }, `${err.code}: ${err.message}`, drainedNodes(wave))
        }
        throw err
      }
    }
    if (plan.status === 'APPLIED' || plan.status === 'NO_CHANGES') return plan
    if (plan.status === 'APPLYING') return this.wait(r, `plan ${planId} to finish applying`, { status: 'RUNNING' }, null)
    const errors = plan.changes.filter((c) => c.error).map((c) => `${c.address}: ${c.error}`)
    return this.fail(r, { ...wave, status: 'FAILED', finishedAt: this.clock.now() }, `wave ${wave.index + 1}: plan ${planId} ${plan.status}${errors.length ? `: ${errors.join('; ')}` : ''}`, drainedNodes(wave))
  }

  /** Records what the rollout waits for (once per reason: the audit trail says when and why), and stops this pass. */
  private async wait(r: Rollout, waitingFor: string, fields: Partial<Pick<Rollout, 'status' | 'pausedBy'>>, until: Date | null): Promise<null> {
    const next = { ...r, ...fields, waitingFor }
    if (r.waitingFor === waitingFor && r.status === next.status && r.pausedBy === next.pausedBy && r.waves === next.waves) return null
    const action = next.status === 'PAUSED' && r.status !== 'PAUSED' ? 'rollout.paused' : 'rollout.waiting'
    await this.save(r, next, r.waitingFor === waitingFor ? [] : [{ actor: SYSTEM, action, detail: { waitingFor, until: until?.toISOString() ?? null, wave: currentWave(r)?.index ?? null } }])
    return null
  }

  private async fail(r: Rollout, wave: RolloutWave, error: string, leftDrained: string[]): Promise<null> {
    const now = this.clock.now()
    this.log.warn('rollout failed', { rolloutId: r.id, error })
    await this.save(r, { ...replaceWave(r, wave), status: 'FAILED', finishedAt: now, error, waitingFor: null, leftDrained: [...new Set([...r.leftDrained, ...leftDrained])] }, [
      { actor: SYSTEM, action: 'rollout.failed', detail: { wave: wave.index, error, leftDrained } },
    ])
    return null
  }

  /** Compare-and-set; when someone (a person's pause, abort or completeMaintenance) wrote first, the next step starts from theirs. */
  private async save(r: Rollout, next: Rollout, audit: AuditInput[]): Step {
    return (await this.rollouts.save(next, audit)) ?? this.rollouts.get(r.id)
  }
}

const replaceWave = (r: Rollout, wave: RolloutWave): Rollout => ({ ...r, waves: r.waves.map((w) => (w.index === wave.index ? wave : w)) })
const drainedNodes = (wave: RolloutWave): string[] => wave.nodes.filter((n) => n.stage !== 'WAITING' && n.stage !== 'DONE' && n.stage !== 'SKIPPED').map((n) => n.name)
const seconds = (from: Date | null, to: Date | null): number | null => (from && to ? Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000)) : null)
