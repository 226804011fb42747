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
    if (!isReady(node) || node.spec?.unschedulable) continue
    out.push({
      node,
      name: node.metadata.name,
      capacity: gpuCapacity(node),
      blocking: taintsOf(node).filter((t) => t.effect !== 'PreferNoSchedule'),
      labels: (node.metadata.labels ?? {}) as Record<string, string>,
    })
  }
  return out
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
