// The clusters one nodeplan serves, each with its own services, and which of them a caller means
// and may use. Without a clusters file the fleet is one cluster, "default", and every cluster
// argument may be left out, as before clusters existed.
import type { Principal } from '../auth.js'
import { NodeplanError } from '../domain/errors.js'
import type { ApplyService } from './apply.service.js'
import type { InventoryService } from './inventory.service.js'
import type { JoinService } from './join.service.js'
import type { PlanService } from './plan.service.js'
import type { ClusterCache } from './ports.js'
import type { SignalService } from './signal.service.js'
import type { SystemNodesService } from './system-nodes.service.js'

/** What is known of a cluster's API server. */
export interface ClusterContactStatus {
  /** The cache has its first lists and the API server answered the last check. */
  reachable: boolean
  /** When the API server last answered (a check, or a watch event); null before it ever did. */
  lastContactAt: Date | null
  /** The API server's gitVersion; null until first reached. */
  kubernetesVersion: string | null
}

export interface ClusterContact {
  status(): ClusterContactStatus
  /** Asks the API server now and returns what it found. */
  check(): Promise<ClusterContactStatus>
}

/** One cluster's services: each its own informer cache, system-node guard and lifecycle. */
export interface ClusterServices {
  name: string
  cache: ClusterCache
  contact: ClusterContact
  inventory: InventoryService
  plans: PlanService
  applier: ApplyService
  join: JoinService
  systemNodes: SystemNodesService
  signals: SignalService
}

export class Fleet<C extends ClusterServices = ClusterServices> {
  private readonly byName: Map<string, C>

  /**
   * `clusters` in the clusters file's order. `refuseUnreachable`: refuse changes to a cluster whose
   * API server did not answer the last check (a fleet); off, one cluster behaves as before clusters
   * existed, its changes failing, or being retried, at the API server itself.
   */
  constructor(
    readonly clusters: readonly C[],
    private readonly options: { refuseUnreachable: boolean } = { refuseUnreachable: true },
  ) {
    if (clusters.length === 0) throw new Error('a fleet has at least one cluster')
    this.byName = new Map(clusters.map((c) => [c.name, c]))
  }

  /** Changes to an unreachable cluster are refused, and reads of it say so (a fleet from a clusters file). */
  get guardsReachability(): boolean {
    return this.options.refuseUnreachable
  }

  names(): string[] {
    return this.clusters.map((c) => c.name)
  }

  /** The clusters the caller may see, in file order. */
  visibleTo(principal: Principal): C[] {
    const allowed = principal.clusters
    return allowed == null ? [...this.clusters] : this.clusters.filter((c) => allowed.includes(c.name))
  }

  /** Whether the caller's token covers every cluster (null means no limit). */
  limits(principal: Principal): string[] | null {
    return principal.clusters == null ? null : this.visibleTo(principal).map((c) => c.name)
  }

  /**
   * The cluster a call is about: the one named, or the only one. With several clusters and no name
   * it is BAD_USER_INPUT naming them; a name not in the clusters file is BAD_USER_INPUT; one the
   * caller's token does not cover is FORBIDDEN.
   */
  pick(principal: Principal, name: string | null | undefined, what: string): C {
    if (name == null) {
      const visible = this.visibleTo(principal)
      if (this.clusters.length === 1 && visible.length === 1) return visible[0]!
      throw new NodeplanError('BAD_USER_INPUT', `${what}: give the cluster (one of ${this.listFor(principal)})`, { field: 'cluster' })
    }
    return this.named(principal, name)
  }

  /** For lists: the named cluster, or every cluster the caller may see. */
  scope(principal: Principal, name: string | null | undefined): C[] {
    return name == null ? this.visibleTo(principal) : [this.named(principal, name)]
  }

  /** `pick`, for a change: refused with KUBERNETES_UNAVAILABLE (extensions.cluster) while the cluster is unreachable. */
  reachable(principal: Principal, name: string | null | undefined, what: string): C {
    const cluster = this.pick(principal, name, what)
    this.requireReachable(cluster)
    return cluster
  }

  requireReachable(cluster: C): void {
    const status = cluster.contact.status()
    if (!status.reachable && this.options.refuseUnreachable) {
      const since = status.lastContactAt ? `; last heard from ${status.lastContactAt.toISOString()}` : '; never reached'
      throw new NodeplanError('KUBERNETES_UNAVAILABLE', `cluster "${cluster.name}" is unreachable${since}: nothing is planned or applied there until its API server answers again`, { cluster: cluster.name })
    }
  }

  /** A stored plan's cluster, for a call about the plan; FORBIDDEN when the caller may not use it. */
  ofPlan(principal: Principal, plan: { id: string; cluster: string }): C {
    return this.ofStored(principal, 'plan', plan)
  }

  /** A stored plan's or rollout's cluster, for a call about it; FORBIDDEN when the caller may not use it. */
  ofStored(principal: Principal, kind: 'plan' | 'rollout', stored: { id: string; cluster: string }): C {
    const cluster = this.byName.get(stored.cluster)
    if (!cluster) {
      throw new NodeplanError('BAD_USER_INPUT', `${kind} ${stored.id} is for cluster "${stored.cluster}", which is not in the clusters file`, { [`${kind}Id`]: stored.id, cluster: stored.cluster })
    }
    this.requireAllowed(principal, cluster.name)
    return cluster
  }

  mayUse(principal: Principal, name: string): boolean {
    return principal.clusters == null || principal.clusters.includes(name)
  }

  private named(principal: Principal, name: string): C {
    const cluster = this.byName.get(name)
    if (!cluster) throw new NodeplanError('BAD_USER_INPUT', `unknown cluster "${name}": the clusters are ${this.listFor(principal)}`, { field: 'cluster', cluster: name })
    this.requireAllowed(principal, name)
    return cluster
  }

  private requireAllowed(principal: Principal, name: string): void {
    if (!this.mayUse(principal, name)) {
      throw new NodeplanError('FORBIDDEN', `${principal.subject} may not use cluster "${name}": the token is limited to ${principal.clusters!.join(', ') || 'no cluster'}`, { cluster: name })
    }
  }

  private listFor(principal: Principal): string {
    return this.visibleTo(principal).map((c) => c.name).join(', ') || '(none this token may use)'
  }
}
