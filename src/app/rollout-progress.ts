import type { Principal } from '../auth.js'
import { NodeplanError } from '../domain/errors.js'
import { FINAL_ROLLOUT_STATUSES, type Rollout } from '../domain/rollout.js'
import { requireRole } from './access.js'
import { PromptedPoll } from './prompted-poll.js'
import type { PlanWrites } from './ports.js'
import type { RolloutService } from './rollout.service.js'

export interface RolloutProgressOptions {
  /** How often a follower reads the rollout again without a prompt (another replica's write on SQLite, a lost notification). */
  pollMs: number
}

/**
 * The rollout each time its stored record changes (its version moved), read from the database as
 * planProgress is: a prompt (the rollout's id on PlanWrites) makes it read at once, and it polls.
 * The current state comes first; the feed ends after delivering a final state.
 */
export class RolloutProgress {
  constructor(
    /** Reads a rollout as the caller may see it: none of a cluster the token does not cover. */
    private readonly rollouts: Pick<RolloutService, 'find'>,
    private readonly writes: PlanWrites,
    private readonly options: RolloutProgressOptions = { pollMs: 1_000 },
  ) {}

  async watch(by: Principal, id: string): Promise<AsyncIterableIterator<Rollout>> {
    requireRole(by, 'viewer', 'follow rollouts')
    const poll = new PromptedPoll(this.options.pollMs)
    const unsubscribe = this.writes.onWritten(id, () => poll.prompt())
    const first = await this.rollouts.find(by, id).catch((err: unknown) => {
      unsubscribe()
      throw err
    })
    if (!first) {
      unsubscribe()
      throw new NodeplanError('NOT_FOUND', `no rollout with id "${id}"`, { rolloutId: id })
    }
    let pending: Rollout | null = first
    let lastVersion = -1
    let ended = false
    let closed = false
    const { rollouts } = this
    const close = () => {
      closed = true
      unsubscribe()
      poll.stop()
    }
    const iterator: AsyncIterableIterator<Rollout> = {
      [Symbol.asyncIterator]: () => iterator,
      async next() {
        while (!closed && !ended) {
          if (pending && pending.version !== lastVersion) {
            const value: Rollout = pending
            lastVersion = value.version
            pending = null
            ended = FINAL_ROLLOUT_STATUSES.includes(value.status)
            return { value, done: false }
          }
          await poll.next()
          if (closed) break
          pending = await rollouts.find(by, id)
          if (!pending) break
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
