// The taint manager: evicts the pods of a node with NoExecute taints they do not tolerate, at once
// or once their tolerationSeconds have passed on the simulated clock.
import type { Controller } from './settle-loop.js'
import type { SimContext } from './sim-context.js'
import { evictionDecision, taintsOf, type Taint } from './scheduling.js'

export class TaintManager implements Controller {
  /** Nodes to look at: their taints or pods changed, or a toleration ran out. */
  private readonly toCheck = new Set<string>()
  private readonly timers = new Set<string>()

  constructor(private readonly ctx: SimContext) {}

  check(nodeName: string): void {
    this.toCheck.add(nodeName)
  }

  hasWork(): boolean {
    return this.toCheck.size > 0
  }

  step(): void {
    const name = this.toCheck.values().next().value!
    this.toCheck.delete(name)
    this.run(name)
  }

  private run(nodeName: string): void {
    const { nodes, pods, clock } = this.ctx
    const node = nodes.get(undefined, nodeName)
    if (!node) return
    const taints = taintsOf(node).filter((t) => t.effect === 'NoExecute')
    if (taints.length === 0) return
    const now = clock.nowMillis()
    const observedAt = (t: Taint) => (t.timeAdded ? Date.parse(t.timeAdded) : now)
    for (const pod of pods.byIndex(nodeName)) {
      const decision = evictionDecision(pod, taints, observedAt)
      if (decision.evict === 'never') continue
      if (decision.evict === 'now' || decision.at <= now) {
        pods.delete(pod.metadata.namespace, pod.metadata.name)
      } else {
        const timer = `${nodeName}@${decision.at}`
        if (this.timers.has(timer)) continue
        this.timers.add(timer)
        clock.at(decision.at, () => {
          this.timers.delete(timer)
          this.toCheck.add(nodeName)
          this.ctx.settle()
        })
      }
    }
  }
}
