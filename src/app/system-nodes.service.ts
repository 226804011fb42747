import type { Principal } from '../auth.js'
import type { NodeState } from '../domain/cluster.js'
import { isSystemNode } from '../domain/roles.js'
import { isDrained, isServingSystemNode, relabelAsSystemNode } from '../domain/system-nodes.js'
import { requireRole } from './access.js'
import type { ClusterCache } from './ports.js'

export interface SystemNodeStatus {
  ready: number
  /** The Ready, undrained system nodes, by name. */
  nodes: string[]
  /** Set when fewer than two serve: what to do about it. */
  warning: string | null
}

/** The procedure wants more than one Ready system node; with fewer, the warning says how to add a temporary one. */
export function systemNodeStatus(nodes: readonly NodeState[]): SystemNodeStatus {
  const serving = nodes.filter(isServingSystemNode).map((n) => n.name).sort()
  if (serving.length >= 2) return { ready: serving.length, nodes: serving, warning: null }
  const candidate = nodes
    .filter((n) => n.ready && !isDrained(n) && !n.unschedulable && !isSystemNode(n))
    .sort((a, b) => (a.name < b.name ? -1 : 1))[0]
  const state =
    serving.length === 0
      ? 'no Ready Run:ai system node: Run:ai services have nowhere to run'
      : `only one Ready Run:ai system node (${serving[0]}): losing it stops the Run:ai services`
  const how = candidate
    ? `Designate a temporary system node: ${relabelAsSystemNode(candidate)}, then apply that plan; rolling it back later retires the temporary system node.`
    : 'No other Ready node can take the role now: bring a system node back, then designate a temporary one with nodeplan plan relabel (planRelabel).'
  return { ready: serving.length, nodes: serving, warning: `${state}. ${how}` }
}

export class SystemNodesService {
  constructor(private readonly cache: ClusterCache) {}

  status(by: Principal): SystemNodeStatus {
    requireRole(by, 'viewer', 'read the system nodes')
    return systemNodeStatus(this.cache.nodeList())
  }
}
