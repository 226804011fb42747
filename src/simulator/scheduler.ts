// The Run:ai-like scheduler's placement rule: among the nodes a pod fits on, bin-pack GPUs
// (the node left with the fewest free GPUs wins; ties go to name order).
import { gpuCapacity } from './node-object.js'
import { fits, podGpus } from './scheduling.js'
import type { KubeObject } from './store.js'

export type ScheduleDecision = { node: KubeObject; reason?: undefined } | { node?: undefined; reason: string }

/** `nodes`: the candidates; `clusterSize`: how many nodes the cluster has, for the Pending message. */
export function scheduleDecision(pod: KubeObject, nodes: KubeObject[], gpusUsed: (node: string) => number, clusterSize = nodes.length): ScheduleDecision {
  let best: KubeObject | undefined
  let bestFree = Infinity
  const need = podGpus(pod)
  for (const node of nodes) {
    const used = gpusUsed(node.metadata.name)
    // The cheap test first: most nodes of a busy cluster have no room at all.
    if (gpuCapacity(node) - used < need || !fits(pod, node, used)) continue
    const free = gpuCapacity(node) - used - need
    if (free < bestFree) {
      best = node
      bestFree = free
    }
  }
  if (best) return { node: best }
  return {
    reason: `0/${clusterSize} nodes are available: ${need ? `insufficient nvidia.com/gpu (${need} requested)` : 'no node matches the pod'}. preemption: not eligible.`,
  }
}
