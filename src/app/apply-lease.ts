// Which replica is applying a plan. The replica that moves a plan to APPLYING holds its lease and
// renews it while it writes; a replica that dies stops renewing, and any other replica's sweeper
// takes the plan over once the lease has expired. Stored on the plan row, so it holds across
// processes; times come from the caller's clock (every replica's system clock in production).
import type { AuditInput } from './ports.js'

export interface ApplyLeases {
  /**
   * Takes the lease of an APPLYING plan until `until`, when it has none, has expired at `now`, or
   * is already `owner`'s. With `audit`, that event is appended in the same transaction, so exactly
   * one replica records a take-over. False when another replica holds it.
   */
  take(planId: string, owner: string, now: Date, until: Date, audit: AuditInput | null): Promise<boolean>
  /** Extends `owner`'s lease; false when the plan is no longer APPLYING or another replica took it over. */
  renew(planId: string, owner: string, until: Date): Promise<boolean>
  /**
   * Ids of APPLYING plans nobody is applying: the lease expired at `now`, or `owner` (when given)
   * holds it — the same replica, restarted — or there is none and the plan has not moved since `idleSince`.
   */
  orphaned(now: Date, owner: string | null, idleSince: Date): Promise<string[]>
}
