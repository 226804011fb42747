// The scheduler (Run:ai's and the default one alike): places pending pods on schedulable nodes
// with room, keeps each node's GPUs in use, and binds pods (status Running on the node).
import { pendingStatus, runningStatus } from './pod-object.js'
import { factsOf, placementKey, schedulableFacts, scheduleDecision, type NodeFacts, type ScheduleDecision } from './scheduler.js'
import { holdsResources, podGpus } from './scheduling.js'
import type { Controller } from './settle-loop.js'
import type { SimContext } from './sim-context.js'
import { keyOf, type KubeObject, type StoreEvent } from './store.js'

export class PodScheduler implements Controller {
  private readonly gpusUsed = new Map<string, number>()
  /** Pods not bound to a node, by key, as last stored: the scheduler's queue. */
  private readonly pending = new Map<string, KubeObject>()
  private dirty = false
  /**
   * The scheduler's view of the schedulable nodes, in name order: a node that changes but stays
   * schedulable gets its entry replaced; one that is added, removed, or starts or stops being
   * schedulable drops the view, and the next pass rebuilds it.
   */
  private nodeFacts: NodeFacts[] | null = null
  /** Each node's index in nodeFacts. */
  private readonly factsIndex = new Map<string, number>()
  /** The nodes in nodeFacts with a free GPU, kept as GPUs are taken and freed. */
  private readonly withRoom = new Set<string>()
  /** Bumped whenever room may have appeared (a node changed, a pod holding resources went away). */
  private capacityEpoch = 0
  /** Pending pods that found no node, by the capacity epoch they were last tried at. */
  private readonly unschedulableAt = new Map<string, number>()
  private readonly placementKeys = new WeakMap<object, string>()

  constructor(private readonly ctx: SimContext) {}

  gpusUsedOn(node: string): number {
    return this.gpusUsed.get(node) ?? 0
  }

  pendingCount(): number {
    return this.pending.size
  }

  /** Sees every node event before the other controllers act on it. */
  observeNode(e: StoreEvent): void {
    this.updateFacts(e)
    if (e.type !== 'DELETED') {
      this.dirty = true
      this.capacityEpoch++
    }
  }

  /** The node is gone and its pods with it. */
  forgetNode(name: string): void {
    this.gpusUsed.delete(name)
  }

  observePod(e: StoreEvent): void {
    const pod = e.object
    const key = keyOf(pod.metadata.namespace, pod.metadata.name)
    const before = e.previous
    if (before && holdsResources(before)) {
      this.addGpus(before.spec.nodeName, -podGpus(before))
      if (e.type === 'DELETED' || !holdsResources(pod)) this.capacityEpoch++
    }
    if (e.type !== 'DELETED' && holdsResources(pod)) this.addGpus(pod.spec.nodeName, podGpus(pod))
    if (e.type === 'DELETED' || pod.spec?.nodeName) {
      this.pending.delete(key)
      this.unschedulableAt.delete(key)
    } else {
      this.pending.set(key, pod)
      this.dirty = true
    }
    if (e.type === 'DELETED') this.dirty = true
  }

  hasWork(): boolean {
    return this.dirty
  }

  step(): void {
    this.dirty = false
    this.schedulePending()
  }

  bind(pod: KubeObject, node: KubeObject): void {
    const hostIP = (node.status?.addresses as { type: string; address: string }[]).find((a) => a.type === 'InternalIP')!.address
    const bound = { ...pod, spec: { ...pod.spec, nodeName: node.metadata.name } }
    this.ctx.pods.update({ ...bound, status: runningStatus(bound, hostIP, this.ctx.nextPodIP(), this.ctx.clock.timestamp()) })
  }

  private addGpus(node: string, delta: number): void {
    if (!delta) return
    this.gpusUsed.set(node, (this.gpusUsed.get(node) ?? 0) + delta)
    const at = this.nodeFacts ? this.factsIndex.get(node) : undefined
    if (at !== undefined) this.noteRoom(this.nodeFacts![at]!)
  }

  private noteRoom(facts: NodeFacts): void {
    if (facts.capacity - (this.gpusUsed.get(facts.name) ?? 0) > 0) this.withRoom.add(facts.name)
    else this.withRoom.delete(facts.name)
  }

  private updateFacts(e: StoreEvent): void {
    if (!this.nodeFacts) return
    if (e.type === 'MODIFIED') {
      const at = this.factsIndex.get(e.object.metadata.name)
      const next = factsOf(e.object)
      if (at !== undefined && next) {
        this.nodeFacts[at] = next
        this.noteRoom(next)
        return
      }
      if (at === undefined && !next) return
    }
    this.nodeFacts = null
  }

  private schedulableNodes(): NodeFacts[] {
    if (!this.nodeFacts) {
      this.nodeFacts = schedulableFacts(this.ctx.nodes.list())
      this.factsIndex.clear()
      this.withRoom.clear()
      this.nodeFacts.forEach((f, i) => {
        this.factsIndex.set(f.name, i)
        this.noteRoom(f)
      })
    }
    return this.nodeFacts
  }

  private schedulePending(): void {
    if (this.pending.size === 0) return
    const facts = this.schedulableNodes()
    const gpusUsed = (n: string) => this.gpusUsed.get(n) ?? 0
    // A pod that needs GPUs can only go where some are free: in a busy cluster that is a handful of
    // nodes, so pending GPU pods are matched against those rather than against every node. Taken
    // before the first GPU pod is placed (placing pods that need none changes no GPU count).
    let withFreeGpus: NodeFacts[] | null = null
    // Placement keys that found no node in this pass, with the reason: placing pods only uses up
    // room, so a later pod of the same key finds none either.
    const failed = new Map<string, string>()
    for (const key of [...this.pending.keys()]) {
      // Nothing has freed room since this pod last found no node: trying again would find none.
      if (this.unschedulableAt.get(key) === this.capacityEpoch) continue
      const pod = this.pending.get(key)
      if (!pod) continue
      const placement = this.placementKeyOf(pod)
      const known = failed.get(placement)
      let decision: ScheduleDecision
      if (known !== undefined) decision = { reason: known }
      else if (podGpus(pod) > 0) {
        withFreeGpus ??= [...this.withRoom]
          .map((n) => this.factsIndex.get(n)!)
          .sort((a, b) => a - b)
          .map((i) => facts[i]!)
        decision = scheduleDecision(pod, withFreeGpus, gpusUsed, this.ctx.nodes.size)
      } else decision = scheduleDecision(pod, facts, gpusUsed, this.ctx.nodes.size)
      if (decision.node) {
        this.bind(pod, decision.node)
      } else {
        failed.set(placement, decision.reason)
        this.unschedulableAt.set(key, this.capacityEpoch)
        const conditions = pod.status?.conditions as { type: string; message?: string }[] | undefined
        if (conditions?.find((c) => c.type === 'PodScheduled')?.message !== decision.reason) {
          this.ctx.pods.update({ ...pod, status: pendingStatus(this.ctx.clock.timestamp(), decision.reason) })
        }
      }
    }
  }

  /** A pod's placement key, kept per spec object (a pending pod's status changes, its spec does not). */
  private placementKeyOf(pod: KubeObject): string {
    const spec = pod.spec as object | undefined
    if (!spec) return placementKey(pod)
    let key = this.placementKeys.get(spec)
    if (key === undefined) this.placementKeys.set(spec, (key = placementKey(pod)))
    return key
  }
}
