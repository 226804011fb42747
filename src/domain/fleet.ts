// A fleet: the clusters one nodeplan serves. Without a clusters file it is one cluster, "default".
import type { NodeState } from './cluster.js'
import { NODE_ROLES, rolesOf, type NodeRole } from './roles.js'
import { isDrained } from './system-nodes.js'

export const DEFAULT_CLUSTER = 'default'

/** Cluster names: what Kubernetes allows in a label value's simplest form, so they fit metrics labels and URLs. */
export const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

/** A cluster's nodes counted for the fleet overview. */
export interface ClusterCounts {
  nodes: number
  nodesByRole: { role: NodeRole; nodes: number }[]
  ready: number
  notReady: number
  draining: number
  gpus: number
  /** Allocatable GPUs on Ready, undrained nodes. */
  gpusInService: number
  gpusOutOfService: number
}

export function countNodes(nodes: readonly NodeState[]): ClusterCounts {
  const byRole = new Map<NodeRole, number>(NODE_ROLES.map((r) => [r, 0]))
  const counts = { nodes: nodes.length, ready: 0, notReady: 0, draining: 0, gpus: 0, gpusInService: 0, gpusOutOfService: 0 }
  for (const node of nodes) {
    for (const role of rolesOf(node.labels)) byRole.set(role, byRole.get(role)! + 1)
    const drained = isDrained(node)
    if (node.ready) counts.ready++
    else counts.notReady++
    if (drained) counts.draining++
    counts.gpus += node.gpus
    if (node.ready && !drained) counts.gpusInService += node.gpus
    else counts.gpusOutOfService += node.gpus
  }
  return { ...counts, nodesByRole: [...byRole].map(([role, n]) => ({ role, nodes: n })) }
}
