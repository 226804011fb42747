// Plans nobody applied expire: after policy.planMaxAgeHours a PENDING or APPROVED plan is moved
// to DISCARDED by `system`, with a plan.expired audit event. Every replica sweeps; the move is
// the repository's compare-and-set on the status, so each plan expires once, whoever gets there first.
import type { Plan } from '../domain/plan.js'
import { statusesMovingTo } from '../domain/plan-status.js'
import type { Logger } from '../logger.js'
import { singleNode } from './plan.service.js'
import type { Policy } from './policy.js'
import type { Clock, PlanRepository } from './ports.js'

/** How often each replica looks for plans past their age. */
export const DEFAULT_PLAN_EXPIRY_INTERVAL_MS = 10 * 60_000
/** Plans expired per pass; the next pass takes the rest. */
const BATCH = 200
const EXPIRING = statusesMovingTo('DISCARDED')

export class PlanExpiry {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly plans: PlanRepository,
    private readonly policy: Pick<Policy, 'planMaxAgeHours'>,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly log: Logger,
  ) {}

  /** Expires the plans older than the policy's age at `now`; returns those this call expired. */
  async expire(now: Date = this.clock.now()): Promise<Plan[]> {
    const hours = this.policy.planMaxAgeHours
    if (hours <= 0) return []
    const cutoff = new Date(now.getTime() - hours * 3_600_000)
    const expired: Plan[] = []
    for (const plan of await this.plans.createdBefore(EXPIRING, cutoff, BATCH)) {
      const moved = await this.plans.transition(plan.id, EXPIRING, 'DISCARDED', {}, {
        actor: 'system',
        action: 'plan.expired',
        planId: plan.id,
        node: singleNode(plan),
        detail: { kind: plan.kind, nodes: plan.nodes, reason: plan.reason, status: plan.status, createdBy: plan.createdBy, createdAt: plan.createdAt.toISOString(), maxAgeHours: hours },
      })
      // null: another replica (or a person) moved it first.
      if (moved) expired.push(moved)
    }
    if (expired.length > 0) this.log.info('plans expired', { count: expired.length, maxAgeHours: hours })
    return expired
  }

  start(intervalMs = DEFAULT_PLAN_EXPIRY_INTERVAL_MS): void {
    if (intervalMs <= 0 || this.timer) return
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.expire()).catch((err: unknown) => this.log.error('expiring plans failed', { error: err }))
    }, intervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.running
  }
}
