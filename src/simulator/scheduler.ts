// The Run:ai-like scheduler's placement rule: among the nodes a pod fits on, bin-pack GPUs
// (the node left with the fewest free GPUs wins; ties go to name order).
import { gpuCapacity, isReady } from './node-object.js'
import { podGpus, taintsOf, tolerates, tolerationsOf, type Taint } from './scheduling.js'
import type { KubeObject } from './store.js'

export type ScheduleDecision = { node: KubeObject; reason?: undefined } | { node?: undefined; reason: string }

/** What placement needs of a node, read once per scheduling pass rather than once per pod. */
export interface NodeFacts {
  node: KubeObject
  name: string
  capacity: number
  /** NoSchedule and NoExecute taints: a pod must tolerate each of them. */
  blocking: Taint[]
  labels: Record<string, string>
}

/** The nodes a pod may be placed on at all: Ready and schedulable. */
export function schedulableFacts(nodes: KubeObject[]): NodeFacts[] {
  const out: NodeFacts[] = []
  for (const node of nodes) {
    const facts = factsOf(node)
    if (facts) out.push(facts)
  }
  return out
}

/** One node's placement facts; null when no pod may be placed on it (not Ready, or cordoned). */
export function factsOf(node: KubeObject): NodeFacts | null {
  if (!isReady(node) || node.spec?.unschedulable) return null
  return {
    node,
    name: node.metadata.name,
    capacity: gpuCapacity(node),
    blocking: taintsOf(node).filter((t) => t.effect !== 'PreferNoSchedule'),
    labels: (node.metadata.labels ?? {}) as Record<string, string>,
  }
}

/**
 * What scheduleDecision reads of a pod: two pods with the same key get the same answer from the
 * same candidates and GPU usage. Placement within one pass only uses up room, so once a pod found
 * no node, a later pod of the same key in that pass finds none either.
 */
export function placementKey(pod: KubeObject): string {
  return JSON.stringify([podGpus(pod), tolerationsOf(pod), pod.spec?.nodeSelector ?? null])
}

/** `candidates`: facts of the nodes to consider; `clusterSize`: how many nodes the cluster has, for the Pending message. */
export function scheduleDecision(pod: KubeObject, candidates: NodeFacts[], gpusUsed: (node: string) => number, clusterSize: number): ScheduleDecision {
  const need = podGpus(pod)
  const tolerations = tolerationsOf(pod)
  const selector = Object.entries((pod.spec?.nodeSelector ?? {}) as Record<string, string>)
  let best: KubeObject | undefined
  let bestFree = Infinity
  for (const facts of candidates) {
    const free = facts.capacity - gpusUsed(facts.name) - need
    // The cheap tests first: most nodes of a busy cluster have no room at all.
    if (free < 0 || free >= bestFree) continue
    if (facts.blocking.length > 0 && !facts.blocking.every((taint) => tolerations.some((t) => tolerates(t, taint)))) continue
    if (selector.some(([k, v]) => facts.labels[k] !== v)) continue
    best = facts.node
    bestFree = free
    if (free === 0) break
  }
  if (best) return { node: best }
  return {
    reason: `0/${clusterSize} nodes are available: ${need ? `insufficient nvidia.com/gpu (${need} requested)` : 'no node matches the pod'}. preemption: not eligible.`,
  }
}
