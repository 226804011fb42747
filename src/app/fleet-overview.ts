// The fleet overview: each cluster's nodes and GPUs in and out of service, whether it answers,
// and its plans waiting for approval, for the clusters a caller may see.
import type { Principal } from '../auth.js'
import { countNodes, type ClusterCounts } from '../domain/fleet.js'
import { requireRole } from './access.js'
import type { ClusterServices, Fleet } from './fleet.js'
import type { PlanRepository } from './ports.js'
import { systemNodeStatus } from './system-nodes.service.js'

export interface ClusterOverview extends ClusterCounts {
  name: string
  reachable: boolean
  lastSyncedAt: Date | null
  kubernetesVersion: string | null
  plansAwaitingApproval: number
  warnings: string[]
}

/** PENDING plans looked at per cluster to count those waiting for approval. */
const PENDING_LOOKED_AT = 500

export class FleetOverview {
  constructor(
    private readonly fleet: Fleet,
    private readonly plans: Pick<PlanRepository, 'list'>,
  ) {}

  async clusters(by: Principal): Promise<ClusterOverview[]> {
    requireRole(by, 'viewer', 'read the clusters')
    return Promise.all(this.fleet.visibleTo(by).map((c) => this.overview(c)))
  }

  private async overview(c: ClusterServices): Promise<ClusterOverview> {
    const contact = c.contact.status()
    const synced = c.cache.synced()
    const nodes = synced ? c.cache.nodeList() : []
    const pending = await this.plans.list({ clusters: [c.name], status: ['PENDING'], first: PENDING_LOOKED_AT })
    const warnings: string[] = []
    if (!synced) warnings.push('the first list of nodes and pods has not arrived yet: nothing is known of this cluster')
    else if (!contact.reachable) warnings.push(`unreachable: what is shown is as of ${contact.lastContactAt?.toISOString() ?? 'the last list'}; plans and applies are refused until its API server answers`)
    if (synced) {
      const system = systemNodeStatus(nodes)
      if (system.warning) warnings.push(system.warning)
    }
    return {
      name: c.name,
      reachable: contact.reachable,
      lastSyncedAt: contact.lastContactAt,
      kubernetesVersion: contact.kubernetesVersion,
      ...countNodes(nodes),
      plansAwaitingApproval: pending.items.filter((p) => c.plans.needsApproval(p.kind)).length,
      warnings,
    }
  }
}
