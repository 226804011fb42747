import type { Principal } from '../auth.js'
import { NodeplanError } from '../domain/errors.js'
import type { Plan, PlannedChange } from '../domain/plan.js'
import { isFinal } from '../domain/plan-status.js'
import { requireRole } from './access.js'
import { PromptedPoll } from './prompted-poll.js'
import type { PlanRepository, PlanWrites } from './ports.js'

export interface ChangeProgressEvent {
  planId: string
  index: number
  change: PlannedChange
  /** The attempt the apply is on or (once the change is reported) made last; null when it was never retried. */
  attempt: number | null
  /** While the change is being retried: the error it retries after; null otherwise. */
  retrying: string | null
  /** While the change is being retried: when the apply gives up on it. */
  retryingUntil: Date | null
}

export interface PlanProgressOptions {
  /** How often a follower reads the plan again without a prompt (a lost notification, another replica's write on SQLite). */
  pollMs: number
}

export const DEFAULT_PLAN_PROGRESS_OPTIONS: PlanProgressOptions = { pollMs: 1_000 }

/** A change counts as reported once an apply recorded it applied or failed. */
const reported = (c: PlannedChange) => c.action !== 'NO_OP' && (c.applied || c.error !== null)

/**
 * Each change of a plan as the apply recorded it, read from the stored plan: whichever replica
 * applies it, a follower on any replica sees every change. A prompt that the plan was written
 * (PlanWrites) makes it read the plan at once; it also reads every `pollMs`. Changes recorded
 * before the subscription are delivered first, in order. A change being retried is delivered at each
 * new attempt recorded (retrying set), then once more when it is reported. The feed ends once the plan is APPLIED,
 * FAILED or DISCARDED and every change it recorded was delivered.
 */
export class PlanProgress {
  constructor(
    private readonly plans: Pick<PlanRepository, 'get'>,
    private readonly writes: PlanWrites,
    private readonly options: PlanProgressOptions = DEFAULT_PLAN_PROGRESS_OPTIONS,
  ) {}

  async watch(by: Principal, id: string): Promise<AsyncIterableIterator<ChangeProgressEvent>> {
    requireRole(by, 'viewer', 'follow plans')
    const poll = new PromptedPoll(this.options.pollMs)
    // Listen before the first read: a write between the two prompts one more read, never a lost change.
    const unsubscribe = this.writes.onWritten(id, () => poll.prompt())
    let plan: Plan | null
    try {
      poll.reading()
      plan = await this.plans.get(id)
    } catch (err) {
      unsubscribe()
      throw err
    }
    // A plan of a cluster the caller's token does not cover is not there for them, as plan(id) answers.
    if (!plan || (by.clusters != null && !by.clusters.includes(plan.cluster))) {
      unsubscribe()
      throw new NodeplanError('NOT_FOUND', `no plan with id "${id}"`, { planId: id })
    }

    const queue: ChangeProgressEvent[] = []
    const seen = new Set<number>()
    /** Per change not yet reported, the last retry attempt delivered. */
    const retriesSeen = new Map<number, number>()
    let ended = false
    let closed = false
    const take = (current: Plan) => {
      current.changes.forEach((change, index) => {
        if (seen.has(index)) return
        const attempt = change.retry?.attempt ?? null
        if (!reported(change)) {
          if (change.retry && change.retry.attempt !== retriesSeen.get(index)) {
            retriesSeen.set(index, change.retry.attempt)
            queue.push({ planId: id, index, change, attempt, retrying: change.retry.error, retryingUntil: change.retry.until })
          }
          return
        }
        seen.add(index)
        queue.push({ planId: id, index, change, attempt, retrying: null, retryingUntil: null })
      })
      ended = isFinal(current.status)
    }
    take(plan)
    const plans = this.plans
    const close = () => {
      closed = true
      unsubscribe()
      poll.stop()
    }
    const iterator: AsyncIterableIterator<ChangeProgressEvent> = {
      [Symbol.asyncIterator]: () => iterator,
      async next() {
        while (!closed) {
          const event = queue.shift()
          if (event) return { value: event, done: false }
          if (ended) break
          await poll.next()
          if (closed) break
          const current = await plans.get(id)
          if (!current) break
          take(current)
        }
        close()
        return { value: undefined, done: true }
      },
      async return() {
        close()
        return { value: undefined, done: true }
      },
    }
    return iterator
  }
}
