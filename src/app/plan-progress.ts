import type { Principal } from '../auth.js'
import { NodeplanError } from '../domain/errors.js'
import type { Plan } from '../domain/plan.js'
import { requireRole } from './access.js'
import type { ChangeProgressEvent } from './apply.service.js'
import type { PlanRepository } from './ports.js'

export interface ProgressSource {
  onProgress(planId: string, listener: (event: ChangeProgressEvent) => void): () => void
}

/** A change counts as reported once an apply recorded it applied or failed. */
const reported = (c: Plan['changes'][number]) => c.action !== 'NO_OP' && (c.applied || c.error !== null)
const pendingWork = (plan: Plan) => plan.changes.filter((c) => c.action !== 'NO_OP').length

/**
 * Each change of a plan as an apply records it. A subscriber that arrives after the apply began
 * first gets the changes already recorded, so subscribing and then applying cannot lose any.
 * The feed ends when every change that does something has been reported, or at once for a plan
 * already APPLIED, FAILED or DISCARDED.
 */
export class PlanProgress {
  constructor(
    private readonly source: ProgressSource,
    private readonly plans: Pick<PlanRepository, 'get'>,
  ) {}

  async watch(by: Principal, id: string): Promise<AsyncIterableIterator<ChangeProgressEvent>> {
    requireRole(by, 'viewer', 'follow plans')
    const queue: ChangeProgressEvent[] = []
    const seen = new Set<number>()
    let expected = Infinity
    let wake: (() => void) | null = null
    let closed = false
    const push = (event: ChangeProgressEvent) => {
      if (seen.has(event.index)) return
      seen.add(event.index)
      queue.push(event)
      wake?.()
    }
    // Listen before reading the plan: an event between the two is then queued, not lost.
    const unsubscribe = this.source.onProgress(id, push)
    let plan: Plan | null
    try {
      plan = await this.plans.get(id)
    } catch (err) {
      unsubscribe()
      throw err
    }
    if (!plan) {
      unsubscribe()
      throw new NodeplanError('NOT_FOUND', `no plan with id "${id}"`, { planId: id })
    }
    plan.changes.forEach((change, index) => {
      if (reported(change)) push({ planId: id, index, change })
    })
    queue.sort((a, b) => a.index - b.index)
    const final = plan.status === 'APPLIED' || plan.status === 'FAILED' || plan.status === 'DISCARDED'
    expected = final ? seen.size : pendingWork(plan)

    let delivered = 0
    const close = () => {
      closed = true
      unsubscribe()
      wake?.()
    }
    const iterator: AsyncIterableIterator<ChangeProgressEvent> = {
      [Symbol.asyncIterator]: () => iterator,
      async next() {
        while (!closed) {
          const event = queue.shift()
          if (event) {
            delivered++
            return { value: event, done: false }
          }
          if (delivered >= expected) break
          await new Promise<void>((resolve) => (wake = resolve))
          wake = null
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
