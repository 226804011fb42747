import type { NodeState, PodState } from '../domain/cluster.js'
import type { Workload } from '../domain/plan.js'
import { rolesOf, type NodeRole } from '../domain/roles.js'
import { isDrained } from '../domain/system-nodes.js'
import { classifyWorkloads } from '../domain/workloads.js'
import type { ClusterCache } from './ports.js'
import { requireSynced } from './cluster-state.js'

export interface NodeView extends NodeState {
  roles: NodeRole[]
  draining: boolean
  gpusInUse: number
  workloads: readonly Workload[]
}

export interface NodeFilter {
  roles?: NodeRole[] | null
  ready?: boolean | null
  draining?: boolean | null
  nameContains?: string | null
  namePrefix?: string | null
  /** Every label must be on the node: with this value, or any value when value is null. */
  labels?: { key: string; value?: string | null }[] | null
}

const FINISHED_PHASES = new Set(['Succeeded', 'Failed'])

interface PodSummary {
  workloads: readonly Workload[]
  gpusInUse: number
}

/** Nodes and their workloads, answered from the informer cache: no API request per query. */
export class InventoryService {
  /**
   * Per list of pods on a node (the cache hands out the same array until they change): a query
   * of every node with its workloads classifies only the nodes whose pods changed since the last.
   */
  private readonly summaries = new WeakMap<readonly PodState[], PodSummary>()
  /**
   * Per node state, its view and the pod list it was made from: an unchanged node is answered
   * with the same view object, which the GraphQL layer's per-node answer cache is keyed on.
   */
  private readonly views = new WeakMap<NodeState, { pods: readonly PodState[]; view: NodeView }>()

  constructor(private readonly cache: ClusterCache) {}

  nodes(filter: NodeFilter = {}): NodeView[] {
    const needle = filter.nameContains?.toLowerCase() ?? null
    const views: NodeView[] = []
    for (const node of this.readyNodes()) {
      if (needle !== null && !node.name.toLowerCase().includes(needle)) continue
      if (filter.namePrefix != null && !node.name.startsWith(filter.namePrefix)) continue
      if (filter.labels?.length && !filter.labels.every((l) => Object.hasOwn(node.labels, l.key) && (l.value == null || node.labels[l.key] === l.value))) continue
      if (filter.ready != null && node.ready !== filter.ready) continue
      const view = this.view(node)
      if (filter.draining != null && view.draining !== filter.draining) continue
      if (filter.roles?.length && !filter.roles.some((r) => view.roles.includes(r))) continue
      views.push(view)
    }
    return views.sort((a, b) => a.name.localeCompare(b.name))
  }

  node(name: string): NodeView | null {
    this.readyNodes()
    const node = this.cache.node(name)
    return node ? this.view(node) : null
  }

  private summary(pods: readonly PodState[]): PodSummary {
    let summary = this.summaries.get(pods)
    if (!summary) {
      const active = pods.filter((p) => !FINISHED_PHASES.has(p.phase))
      summary = Object.freeze({ workloads: Object.freeze(classifyWorkloads(active)), gpusInUse: active.reduce((sum, p) => sum + p.gpus, 0) })
      this.summaries.set(pods, summary)
    }
    return summary
  }

  private view(node: NodeState): NodeView {
    const pods = this.cache.podsOn(node.name)
    const known = this.views.get(node)
    if (known?.pods === pods) return known.view
    const summary = this.summary(pods)
    const view: NodeView = Object.freeze({
      ...node,
      roles: rolesOf(node.labels),
      draining: isDrained(node),
      gpusInUse: summary.gpusInUse,
      workloads: summary.workloads,
    })
    this.views.set(node, { pods, view })
    return view
  }

  private readyNodes(): readonly NodeState[] {
    requireSynced(this.cache)
    return this.cache.nodeList()
  }
}
