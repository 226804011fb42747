// Which replica is applying a plan. The replica that moves a plan to APPLYING holds its lease and
// renews it while it writes; a replica that dies stops renewing, and any other replica's sweeper
// (apply-resume.ts) takes the plan over once the lease has expired. Stored on the plan row, so it
// holds across processes; times come from this replica's clock (the system clock in production).
import type { Logger } from '../logger.js'
import type { AuditInput, Clock } from './ports.js'

export interface ApplyLeases {
  /**
   * Takes the lease of an APPLYING plan until `until`, when it has none, has expired at `now`, or
   * is already `owner`'s. With `audit`, that event is appended in the same transaction, so exactly
   * one replica records a take-over. False when another replica holds it.
   */
  take(planId: string, owner: string, now: Date, until: Date, audit: AuditInput | null): Promise<boolean>
  /** Extends `owner`'s lease; false when the plan is no longer APPLYING or another replica took it over. */
  renew(planId: string, owner: string, until: Date): Promise<boolean>
  /** Ids of APPLYING plans nobody is applying: the lease expired at `now`, or there is none and the plan has not moved since `idleSince`. */
  orphaned(now: Date, idleSince: Date): Promise<string[]>
}

export interface LeaseOptions {
  /** How long an apply's lease lasts unrenewed; it is renewed every third of that while the apply runs. */
  leaseMs: number
  /**
   * This process in the plan's lease (PROCESS_IDENTITY by default): unique per process, so replicas
   * sharing a hostname are never taken for each other. A restarted process is a new owner: it
   * finishes its predecessor's plans once their lease has expired, like any other replica.
   */
  owner: string
  /** The leases' time (the system clock by default). */
  clock: Pick<Clock, 'now'>
}

/** A lease this process holds while it applies a plan. */
export interface HeldLease {
  /** False once another replica took the plan over, or the lease ran out without a renewal. */
  valid(): boolean
  release(): void
}

/** This process's side of the apply leases: the lease a start writes, its renewal, and taking one over. */
export class ApplyLeaseKeeper {
  constructor(
    private readonly leases: ApplyLeases,
    readonly options: LeaseOptions,
    private readonly log: Logger,
  ) {}

  get owner(): string {
    return this.options.owner
  }

  /** The lease fields an apply starts with (written with the move to APPLYING). */
  startFields(): { applyOwner: string; leaseExpiresAt: Date } {
    return { applyOwner: this.options.owner, leaseExpiresAt: this.until() }
  }

  /** Takes over an APPLYING plan nobody renews; `audit` is recorded only by the replica that gets it. */
  take(planId: string, audit: AuditInput): Promise<boolean> {
    return this.leases.take(planId, this.options.owner, this.options.clock.now(), this.until(), audit)
  }

  /** Plans left APPLYING by a process that stopped renewing their lease. */
  orphaned(): Promise<string[]> {
    const now = this.options.clock.now()
    return this.leases.orphaned(now, new Date(now.getTime() - this.options.leaseMs))
  }

  /** Renews the plan's lease every third of its length until released. */
  hold(planId: string): HeldLease {
    let until = this.until()
    let lost = false
    let released = false
    const timer = setInterval(() => {
      const next = this.until()
      this.leases.renew(planId, this.options.owner, next).then(
        (held) => {
          if (held) until = next
          else if (!lost && !released) {
            lost = true
            this.log.warn('another replica took over this plan; stopping here', { planId, owner: this.options.owner })
          }
        },
        (err: unknown) => this.log.warn('renewing the apply lease failed', { planId, error: err }),
      )
    }, Math.max(1, Math.floor(this.options.leaseMs / 3)))
    timer.unref()
    return {
      // Unrenewed past its end (the database unreachable), another replica may already be writing.
      valid: () => !lost && this.options.clock.now() < until,
      release: () => {
        released = true
        clearInterval(timer)
      },
    }
  }

  private until(): Date {
    return new Date(this.options.clock.now().getTime() + this.options.leaseMs)
  }
}
