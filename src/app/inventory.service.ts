import type { NodeState } from '../domain/cluster.js'
import { DRAIN_TAINT } from '../domain/cluster.js'
import { NodeplanError } from '../domain/errors.js'
import type { Workload } from '../domain/plan.js'
import { rolesOf, type NodeRole } from '../domain/roles.js'
import { classifyWorkloads } from '../domain/workloads.js'
import type { ClusterCache } from './ports.js'

export interface NodeView extends NodeState {
  roles: NodeRole[]
  draining: boolean
  gpusInUse: number
}

export interface NodeFilter {
  roles?: NodeRole[] | null
  ready?: boolean | null
  draining?: boolean | null
  nameContains?: string | null
}

const FINISHED_PHASES = new Set(['Succeeded', 'Failed'])

/** Nodes and their workloads, answered from the informer cache: no API request per query. */
export class InventoryService {
  constructor(private readonly cache: ClusterCache) {}

  nodes(filter: NodeFilter = {}): NodeView[] {
    const needle = filter.nameContains?.toLowerCase() ?? null
    const views: NodeView[] = []
    for (const node of this.readySnapshot().nodes) {
      if (needle !== null && !node.name.toLowerCase().includes(needle)) continue
      if (filter.ready != null && node.ready !== filter.ready) continue
      const view = this.view(node)
      if (filter.draining != null && view.draining !== filter.draining) continue
      if (filter.roles?.length && !filter.roles.some((r) => view.roles.includes(r))) continue
      views.push(view)
    }
    return views.sort((a, b) => a.name.localeCompare(b.name))
  }

  node(name: string): NodeView | null {
    this.readySnapshot()
    const node = this.cache.node(name)
    return node ? this.view(node) : null
  }

  workloads(node: string): Workload[] {
    return classifyWorkloads(this.cache.podsOn(node).filter((p) => !FINISHED_PHASES.has(p.phase)))
  }

  private view(node: NodeState): NodeView {
    let gpusInUse = 0
    for (const pod of this.cache.podsOn(node.name)) {
      if (!FINISHED_PHASES.has(pod.phase)) gpusInUse += pod.gpus
    }
    return {
      ...node,
      roles: rolesOf(node.labels),
      draining: node.taints.some((t) => t.key === DRAIN_TAINT.key && t.effect === DRAIN_TAINT.effect && t.value === DRAIN_TAINT.value),
      gpusInUse,
    }
  }

  private readySnapshot() {
    if (!this.cache.synced()) {
      throw new NodeplanError('KUBERNETES_UNAVAILABLE', 'the cluster state has not been read yet: the Kubernetes API server has not answered; retry shortly and check /readyz')
    }
    return this.cache.snapshot()
  }
}
