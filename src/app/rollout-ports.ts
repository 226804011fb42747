// The storage port of rollouts (issue 21); src/adapters/db/rollout.repository.ts implements it.
import type { Rollout, RolloutDraft, RolloutStatus } from '../domain/rollout.js'
import type { AuditInput, Page } from './ports.js'

export interface RolloutListQuery {
  status?: RolloutStatus[] | null
  /** Only rollouts of these clusters; absent or null: every cluster. */
  clusters?: readonly string[] | null
  first: number
  after?: string | null
}

/** Stored rollouts. Every write appends its audit events in the same transaction. */
export interface RolloutRepository {
  create(draft: RolloutDraft, audit: AuditInput): Promise<Rollout>
  get(id: string): Promise<Rollout | null>
  /** Newest first. */
  list(query: RolloutListQuery): Promise<Page<Rollout>>
  /**
   * Compare-and-set on `rollout.version`: writes the rollout's state and the audit events, or
   * nothing and null when someone wrote it since it was read.
   */
  save(rollout: Rollout, audit: AuditInput[]): Promise<Rollout | null>
  /** The cluster's rollouts the runner drives (SCHEDULED, RUNNING, PAUSED), oldest first. */
  active(cluster: string): Promise<Rollout[]>
  /** Takes the runner's lease when it is free, expired at `now`, or already `owner`'s. */
  takeLease(id: string, owner: string, now: Date, until: Date): Promise<boolean>
  releaseLease(id: string, owner: string): Promise<void>
}
