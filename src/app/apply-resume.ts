// An apply resumes after a crash: a plan left APPLYING is finished by whichever replica takes its
// expired lease — another replica, or the crashed one restarted (a new process, so a new owner).
// Changes already in their target state are recorded, not written again (the node writer's
// 'already'). Every replica sweeps at start-up and then periodically, so a dead replica's plan
// is taken over within about a lease and a third of it.
import type { Plan } from '../domain/plan.js'
import type { Logger } from '../logger.js'
import type { ApplyLeaseKeeper } from './apply-lease.js'
import type { ApplyRunner } from './apply-runner.js'
import type { RecordedApproval } from './recorded-approval.js'
import { singleNode } from './plan.service.js'
import type { PlanRepository } from './ports.js'

/** How often each replica looks for plans whose apply lease expired, at most. */
const DEFAULT_LEASE_SWEEP_INTERVAL_MS = 10_000

export class ApplyResumer {
  private sweeper: NodeJS.Timeout | null = null
  private sweeping: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly plans: PlanRepository,
    private readonly leases: ApplyLeaseKeeper,
    private readonly runner: ApplyRunner,
    private readonly approval: RecordedApproval,
    private readonly log: Logger,
  ) {}

  /** Finishes plans nobody is applying any more (their lease expired). A plan whose approval nodeplan never recorded is not resumed. */
  async resumeInterrupted(): Promise<Plan[]> {
    const resumed: Plan[] = []
    for (const plan of await this.orphans()) {
      const refused = await this.approval.require(plan).then(
        () => null,
        (err: unknown) => err as Error,
      )
      if (refused) {
        this.log.error('not resuming a plan whose approval nodeplan never recorded', { planId: plan.id, kind: plan.kind, error: refused.message })
        continue
      }
      const audit = {
        actor: 'system',
        action: 'plan.resumed',
        planId: plan.id,
        node: singleNode(plan),
        detail: { applied: plan.changes.filter((c) => c.applied).map((c) => c.address), by: this.leases.owner },
      }
      if (!(await this.leases.take(plan.id, audit))) continue
      this.log.warn('resuming a plan interrupted mid-apply', { planId: plan.id, kind: plan.kind })
      resumed.push(await this.runner.run(plan, 'system', true))
    }
    return resumed
  }

  /** Every `intervalMs` (by default a third of the lease, at most 10 s; 0: never), takes over plans whose apply lease expired. */
  start(intervalMs = Math.min(DEFAULT_LEASE_SWEEP_INTERVAL_MS, Math.ceil(this.leases.options.leaseMs / 3))): void {
    if (intervalMs <= 0 || this.sweeper) return
    this.sweeper = setInterval(() => void this.sweep(), intervalMs)
    this.sweeper.unref()
  }

  /** Stops the sweeper and waits for a sweep in progress. */
  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper)
    this.sweeper = null
    await this.sweeping
  }

  /** One pass of resumeInterrupted, after the one under way. */
  sweep(): Promise<Plan[]> {
    const pass = this.sweeping.then(() => this.resumeInterrupted())
    this.sweeping = pass.catch((err: unknown) => this.log.error('taking over plans with an expired apply lease failed', { error: err }))
    return pass
  }

  private async orphans(): Promise<Plan[]> {
    const ids = await this.leases.orphaned()
    const plans = await Promise.all(ids.filter((id) => !this.runner.running(id)).map((id) => this.plans.get(id)))
    return plans.filter((plan): plan is Plan => plan !== null && plan.status === 'APPLYING')
  }
}
