// The settle loop: after a write, the controllers (taint manager, workload completion, workload
// controllers, scheduler, PDB status) each take a step in turn until none has work left. A write
// made directly (tests, the control routes, the simulated clock) is acted on at once; one made
// through the API is answered first, and the controllers then run a slice at a time with other
// requests answered in between, as kube-controller-manager and the scheduler act after the API
// server acknowledged a write. Nothing uses wall-clock timers.
import { AsyncLocalStorage } from 'node:async_hooks'

export interface Controller {
  hasWork(): boolean
  /** One unit of work (a node, a pod, a scheduling pass); it may write, which queues more work. */
  step(): void
}

const apiRequest = new AsyncLocalStorage<true>()

export class SettleLoop {
  private readonly controllers: Controller[] = []
  private settling = false
  private queued = false

  constructor(
    /** How long the controllers act on API writes before answering waiting requests (at least one step). */
    private readonly sliceMs: number,
    /** While true (seeding), writes queue work but nothing runs. */
    private readonly paused: () => boolean,
  ) {}

  /** The controllers, in the order they get to act. */
  add(...controllers: Controller[]): void {
    this.controllers.push(...controllers)
  }

  /** Runs one API request's handling: the controllers react to its writes once it has answered. */
  asApiRequest<T>(handle: () => T): T {
    return apiRequest.run(true, handle)
  }

  /** Runs the controllers until nothing is left to do. Re-entrant calls just queue work. */
  settle(): void {
    if (this.settling || this.paused()) return
    if (apiRequest.getStore()) this.queue()
    else this.run(Infinity)
  }

  private queue(): void {
    if (this.queued) return
    this.queued = true
    setImmediate(() =>
      apiRequest.exit(() => {
        this.queued = false
        if (this.settling || this.paused()) return
        if (!this.run(this.sliceMs)) this.queue()
      }),
    )
  }

  /** One controller step after another: true once nothing is left, false when `budgetMs` ran out first. */
  private run(budgetMs: number): boolean {
    this.settling = true
    const until = performance.now() + budgetMs
    try {
      for (let first = true; ; first = false) {
        if (!first && performance.now() >= until) return false
        const next = this.controllers.find((c) => c.hasWork())
        if (!next) return true
        next.step()
      }
    } finally {
      this.settling = false
    }
  }
}
