// Prometheus metrics for /metrics.
//
// Plans and audit events are counted where they are written: the repositories are wrapped
// (metered-repositories.ts), so every writer — the API, the downtime
// watcher, a resumed apply — is counted without a database query per scrape. Nodes and
// Kubernetes API requests are read at scrape time from what already holds them (the informer
// cache, the transport's request counter).
import type { ApolloServerPlugin } from '@apollo/server'
import { getOperationAST, Kind, type ExecutionArgs, type ExecutionResult } from 'graphql'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { InventoryService } from '../app/inventory.service.js'
import type { PlanKind } from '../domain/plan.js'
import { NODE_ROLES } from '../domain/roles.js'
import { clusterMetrics, type ClusterMetrics } from './cluster-metrics.js'
import type { ConnectionEvents } from './connection-limits.js'

export interface ApiRequestRows {
  rows(): { verb: string; code: string; count: number }[]
}

/** What a cluster's gauges are read from at scrape time. */
interface ClusterSource {
  cluster: string
  nodes: InventoryService['nodes']
  kubernetesRequests: ApiRequestRows
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

/** `planDrain` → `DRAIN`; null for mutations that do not make a plan. */
export function planKindOfMutation(field: string): PlanKind | null {
  const kinds: Record<string, PlanKind> = {
    planDrain: 'DRAIN',
    planUndrain: 'UNDRAIN',
    planDecommission: 'DECOMMISSION',
    planRejoin: 'REJOIN',
    planRelabel: 'RELABEL',
    planRollback: 'ROLLBACK',
  }
  return kinds[field] ?? null
}

export class NodeplanMetrics {
  readonly registry = new Registry()
  readonly plans: Counter<'kind' | 'status' | 'cluster'>
  readonly planDuration: Histogram<'kind' | 'outcome'>
  readonly applyDuration: Histogram<'kind' | 'status' | 'cluster'>
  readonly auditEvents: Counter<never>
  readonly listElements: Counter<'answer'>
  readonly connectionsRefused: Counter<'reason'>
  readonly connectionsIdleClosed: Counter<never>
  /** 1 while this replica holds the leader Lease and runs the node lifecycle. */
  readonly leader: Gauge<'cluster'>
  readonly leaderLeaseAttempts: Counter<'result' | 'cluster'>
  readonly applyLeaseRenewals: Counter<'result' | 'cluster'>
  readonly applyLeaseTakeOvers: Counter<'cluster'>
  readonly eventDeliveries: Counter<'webhook' | 'type' | 'outcome'>
  readonly signalsReceived: Counter<'source' | 'action' | 'cluster'>
  readonly signalProposals: Counter<'outcome' | 'cluster'>
  private readonly clusters: ClusterSource[] = []

  constructor() {
    const registers = [this.registry]
    // The process's own: resident memory, heap by space, GC pauses, event-loop delay.
    collectDefaultMetrics({ register: this.registry })
    this.plans = new Counter({
      name: 'nodeplan_plans_total',
      help: 'Plans that reached each status (PENDING when made), by kind and cluster.',
      labelNames: ['kind', 'status', 'cluster'],
      registers,
    })
    this.planDuration = new Histogram({
      name: 'nodeplan_plan_duration_seconds',
      help: 'Time to compute and store a plan requested over GraphQL, by kind and outcome (ok or the error code).',
      labelNames: ['kind', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    })
    this.applyDuration = new Histogram({
      name: 'nodeplan_apply_duration_seconds',
      help: 'Time from APPLYING to APPLIED or FAILED, by kind, final status and cluster.',
      labelNames: ['kind', 'status', 'cluster'],
      buckets: DURATION_BUCKETS,
      registers,
    })
    this.auditEvents = new Counter({ name: 'nodeplan_audit_events_total', help: 'Audit events written by this process.', registers })
    this.listElements = new Counter({
      name: 'nodeplan_graphql_list_elements_total',
      help: 'Elements of cached list answers (the nodes of a nodes query): answered from text kept since an earlier query (kept) or made afresh (made).',
      labelNames: ['answer'],
      registers,
    })

    this.connectionsRefused = new Counter({
      name: 'nodeplan_connections_refused_total',
      help: 'TCP connections closed at once, by reason: over --max-connections (total) or --max-connections-per-address (per_address).',
      labelNames: ['reason'],
      registers,
    })
    this.connectionsIdleClosed = new Counter({
      name: 'nodeplan_connections_idle_closed_total',
      help: 'Connections closed because they sent nothing for --idle-timeout-seconds (or stayed idle past the keep-alive timeout).',
      registers,
    })
    this.leader = new Gauge({
      name: 'nodeplan_leader',
      help: '1 while this replica holds the leader Lease (coordination.k8s.io/v1) and so runs the node lifecycle; 0 otherwise. Exactly one replica should show 1 per cluster.',
      labelNames: ['cluster'],
      registers,
    })
    this.leaderLeaseAttempts = new Counter({
      name: 'nodeplan_leader_lease_attempts_total',
      help: 'Attempts to renew or take the leader Lease, by result: renewed, acquired, held (by another replica), conflict, error.',
      labelNames: ['result', 'cluster'],
      registers,
    })

    this.applyLeaseRenewals = new Counter({
      name: 'nodeplan_apply_lease_renewals_total',
      help: "Renewals of a plan's apply lease by this replica while it applies, by result: renewed, or lost (another replica took the plan over).",
      labelNames: ['result', 'cluster'],
      registers,
    })
    this.applyLeaseTakeOvers = new Counter({
      name: 'nodeplan_apply_lease_takeovers_total',
      help: 'Plans this replica took over (their apply lease expired: their replica died) or resumed after its own restart.',
      labelNames: ['cluster'],
      registers,
    })
    this.eventDeliveries = new Counter({
      name: 'nodeplan_event_deliveries_total',
      help: 'Webhook delivery attempts by webhook, CloudEvent type and outcome: delivered, failed (retried later) or dropped (after the last attempt).',
      labelNames: ['webhook', 'type', 'outcome'],
      registers,
    })

    this.signalsReceived = new Counter({
      name: 'nodeplan_signals_received_total',
      help: 'Health signals received, by source and the action policy chose (RECORD, PROPOSE_DRAIN, AUTO_DRAIN).',
      labelNames: ['source', 'action', 'cluster'],
      registers,
    })
    this.signalProposals = new Counter({
      name: 'nodeplan_signal_proposals_total',
      help: 'What signals asking for a drain led to: proposed, auto_applied, joined (an existing proposal) or held (by the storm guard).',
      labelNames: ['outcome', 'cluster'],
      registers,
    })

    const clusters = this.clusters
    new Counter({
      name: 'nodeplan_kubernetes_requests_total',
      help: 'Kubernetes API requests by verb and code (HTTP status, or a network error such as ECONNREFUSED).',
      labelNames: ['verb', 'code', 'cluster'],
      registers,
      collect() {
        this.reset()
        for (const { cluster, kubernetesRequests } of clusters) for (const { verb, code, count } of kubernetesRequests.rows()) this.inc({ verb, code, cluster }, count)
      },
    })
    new Counter({
      name: 'nodeplan_kubernetes_request_errors_total',
      help: 'Kubernetes API requests that failed (a status of 400 or more, or a network error), by verb and code.',
      labelNames: ['verb', 'code', 'cluster'],
      registers,
      collect() {
        this.reset()
        for (const { cluster, kubernetesRequests } of clusters) {
          for (const { verb, code, count } of kubernetesRequests.rows()) if (!(Number(code) < 400)) this.inc({ verb, code, cluster }, count)
        }
      },
    })

    this.nodes = new Gauge({
      name: 'nodeplan_nodes',
      help: 'Nodes in the informer cache by Run:ai role ("none" for none) and readiness; a node with two roles counts under each.',
      labelNames: ['role', 'ready', 'cluster'],
      registers,
    })
    this.draining = new Gauge({ name: 'nodeplan_nodes_draining', help: 'Nodes draining (the taint runai:NoExecute, whatever its value), as Node.draining.', labelNames: ['cluster'], registers })
    this.gpus = new Gauge({
      name: 'nodeplan_gpus',
      help: 'Allocatable GPUs: in_service on Ready nodes not draining, out_of_service otherwise.',
      labelNames: ['state', 'cluster'],
      registers,
    })
  }

  /** A cluster's counters, labelled with its name; its gauges are read from `nodes` at each scrape. */
  forCluster(cluster: string, kubernetesRequests: ApiRequestRows, nodes: InventoryService['nodes']): ClusterMetrics {
    this.clusters.push({ cluster, nodes, kubernetesRequests })
    return clusterMetrics(this, cluster)
  }

  countListElements(kept: number, made: number): void {
    if (kept) this.listElements.inc({ answer: 'kept' }, kept)
    if (made) this.listElements.inc({ answer: 'made' }, made)
  }

  private readonly nodes: Gauge<'role' | 'ready' | 'cluster'>
  private readonly draining: Gauge<'cluster'>
  private readonly gpus: Gauge<'state' | 'cluster'>

  /** One pass over each cluster's cache per scrape for the three node gauges. */
  private collectNodes(): void {
    this.nodes.reset()
    for (const source of this.clusters) this.collectClusterNodes(source)
  }

  private collectClusterNodes({ cluster, nodes }: ClusterSource): void {
    let views: ReturnType<ClusterSource['nodes']>
    try {
      views = nodes()
    } catch {
      views = [] // the cache has not synced yet
    }
    for (const role of [...NODE_ROLES, 'none']) for (const ready of ['true', 'false']) this.nodes.set({ role, ready, cluster }, 0)
    let draining = 0
    let inService = 0
    let outOfService = 0
    for (const node of views) {
      const ready = String(node.ready)
      for (const role of node.roles.length > 0 ? node.roles : ['none']) this.nodes.inc({ role, ready, cluster })
      if (node.draining) draining++
      if (node.ready && !node.draining) inService += node.gpus
      else outOfService += node.gpus
    }
    this.draining.set({ cluster }, draining)
    this.gpus.set({ state: 'in_service', cluster }, inService)
    this.gpus.set({ state: 'out_of_service', cluster }, outOfService)
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    this.collectNodes()
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }

  connectionEvents(): ConnectionEvents {
    return {
      refused: (reason) => this.connectionsRefused.inc({ reason }),
      idleClosed: () => this.connectionsIdleClosed.inc(),
    }
  }

  /** Times the plan* fields of a mutation run over the websocket, as apolloPlugin() does over HTTP. */
  async timeMutation(args: ExecutionArgs, run: () => Promise<unknown>): Promise<unknown> {
    const operation = getOperationAST(args.document, args.operationName)
    const timers: { key: string; end: (labels: { outcome: string }) => number }[] = []
    for (const selection of operation?.selectionSet.selections ?? []) {
      if (selection.kind !== Kind.FIELD) continue
      const kind = planKindOfMutation(selection.name.value)
      if (kind) timers.push({ key: selection.alias?.value ?? selection.name.value, end: this.planDuration.startTimer({ kind }) })
    }
    let result: ExecutionResult
    try {
      result = (await run()) as ExecutionResult
    } catch (err) {
      for (const { end } of timers) end({ outcome: 'error' })
      throw err
    }
    for (const { key, end } of timers) {
      const error = result.errors?.find((e) => e.path?.[0] === key)
      const code = (error?.originalError as { code?: unknown } | undefined)?.code ?? error?.extensions?.code
      end({ outcome: error ? String(code ?? 'error') : 'ok' })
    }
    return result
  }

  /** Times the plan* mutations (the GraphQL time of computing and storing a plan). */
  apolloPlugin(): ApolloServerPlugin {
    const planDuration = this.planDuration
    return {
      async requestDidStart() {
        return {
          // Only mutations are timed: a listener on every field of a large query costs real time.
          async executionDidStart({ operation }) {
            if (operation?.operation !== 'mutation') return
            return {
              willResolveField({ info }) {
                if (info.parentType.name !== 'Mutation') return
                const kind = planKindOfMutation(info.fieldName)
                if (!kind) return
                const end = planDuration.startTimer({ kind })
                return (error) => {
                  const code = (error as { extensions?: { code?: unknown }; code?: unknown } | null)?.code
                  end({ outcome: error ? String(code ?? 'error') : 'ok' })
                }
              },
            }
          },
        }
      },
    }
  }
}
