// Composition root: config → adapters → services → server. Nothing else constructs adapters.
import { hostname } from 'node:os'
import type { GraphQLSchema } from 'graphql'
import type { ApplyOptions } from './app/apply-runner.js'
import { AuditService } from './app/audit.service.js'
import { DEFAULT_DELIVERY_OPTIONS, EventDeliverer, type DeliveryOptions } from './app/event-deliverer.js'
import { Fleet } from './app/fleet.js'
import { FleetOverview } from './app/fleet-overview.js'
import { PlanProgress } from './app/plan-progress.js'
import { RolloutProgress } from './app/rollout-progress.js'
import { RolloutService } from './app/rollout.service.js'
import type { Clock } from './app/ports.js'
import { openDatabase, type Database } from './adapters/db/database.js'
import type { KubernetesClusterCache } from './adapters/kubernetes/cluster-cache.js'
import { systemClock } from './app/system-clock.js'
import { HttpWebhookSender } from './adapters/webhook/http-webhook-sender.js'
import { startClusterRuntime, type ClusterRuntime } from './cluster-runtime.js'
import { clusterSources } from './cluster-sources.js'
import type { ServeConfig } from './config.js'
import { AuditResolver } from './graphql/audit/audit.resolver.js'
import { AuditVerifyResolver } from './graphql/audit/verify.resolver.js'
import { ClusterResolver } from './graphql/cluster/cluster.resolver.js'
import { FleetResolver } from './graphql/cluster/fleet.resolver.js'
import { JoinResolver } from './graphql/join/join.resolver.js'
import { MeResolver } from './graphql/me/me.resolver.js'
import { NodeResolver } from './graphql/node/node.resolver.js'
import { PlanResolver } from './graphql/plan/plan.resolver.js'
import { RolloutResolver, RolloutWaveResolver } from './graphql/rollout/rollout.resolver.js'
import { SignalResolver } from './graphql/signal/signal.resolver.js'
import { unreachableClustersPlugin } from './graphql/cluster-reads.js'
import { buildNodeplanSchema } from './graphql/schema.js'
import { createLogger, type Logger } from './logger.js'
import { TokensFile } from './tokens-file.js'
import { startHttpServer, type ReadinessCheck, type RunningHttpServer } from './server/http-server.js'
import { signalIntakeRoute } from './server/signal-intake.js'
import { queryRunner } from './server/query-runner.js'
import { startSubscriptionServer } from './server/subscriptions.js'
import { MeteredAuditRepository } from './server/metered-repositories.js'
import { NodeplanMetrics } from './server/metrics.js'
import type { RunningSimulator } from './simulator/index.js'

/** How often each replica advances its rollouts. */
const DEFAULT_ROLLOUT_INTERVAL_MS = 5_000

export interface NodeplanOverrides {
  log?: Logger
  apply?: Partial<ApplyOptions>
  /** The cluster's time, for downtime and token expiry (default: the embedded simulator's clock, else the system clock). */
  clock?: Pick<Clock, 'now'>
  /** How long start-up waits for the first list before serving anyway (default 30 s). */
  cacheStartTimeoutMs?: number
  /** How often the downtime watcher checks on its own (default: the config's); 0: only when check() is called. */
  downtimeCheckIntervalMs?: number
  /** How often this replica looks for plans whose apply lease expired; 0: only when applier.sweep() is called. */
  leaseSweepIntervalMs?: number
  /** How often this replica expires plans older than policy.planMaxAgeHours; 0: only when expiry.expire() is called. */
  planExpiryIntervalMs?: number
  /** How often this replica advances the rollouts it drives; 0: only when rolloutRunner.tick() is called. */
  rolloutIntervalMs?: number
  /** Webhook delivery timing (poll interval, backoff, lease). */
  events?: Partial<DeliveryOptions>
  /** How often each cluster's API server is asked whether it answers; 0: only when its contact.check() is called. */
  contactCheckIntervalMs?: number
}

/** How often each cluster of a clusters file is asked whether it answers, by default (one cluster without a file: at start and first sync only, as /readyz asks besides). */
export const DEFAULT_CONTACT_CHECK_MS = 5_000

export interface RunningNodeplan {
  url: string
  /** The executable schema the HTTP server and subscriptions serve. */
  schema: GraphQLSchema
  http: RunningHttpServer
  /** The tokens file in force, read again when it changes; null without one. */
  tokens: TokensFile | null
  db: Database
  /** The first cluster's cache (the only one without a clusters file). */
  cache: KubernetesClusterCache
  simulator: RunningSimulator | null
  /** Every cluster's services, in the clusters file's order. */
  fleet: Fleet<ClusterRuntime>
  /** The first cluster's services (the only one's without a clusters file), and the service-wide ones. */
  services: ClusterRuntime & {
    audit: AuditService
    events: EventDeliverer
    rollouts: RolloutService
  }
  close(): Promise<void>
}

export async function startNodeplan(config: ServeConfig, overrides: NodeplanOverrides = {}): Promise<RunningNodeplan> {
  const log = overrides.log ?? createLogger({ level: config.logLevel })

  // First: a database that is corrupt or not nodeplan's stops start-up before anything else runs.
  const db = await openDatabase(config.databaseUrl, { auditKey: config.auditKey, auditReseal: config.auditReseal, log })

  const sources = await clusterSources(config, log)
  const simulator = sources.simulator

  if (!config.auth) {
    log.warn(`no tokens file (--tokens, NODEPLAN_TOKENS_FILE): listening on ${config.host} only, every caller is a local admin`)
  }
  logAuditSeal(db, log)

  // While the caches make their first lists: the first apply after start should not wait for Prisma to plan its queries.
  const warmedUp = db.warmUp().catch((err: unknown) => log.warn('warming up the apply queries failed; the first apply plans them', { error: err }))

  const metrics = new NodeplanMetrics()
  // Every writer of plans and audit events goes through these, so /metrics counts them all.
  const auditRepository = new MeteredAuditRepository(db.audit, metrics)
  const audit = new AuditService(auditRepository)
  const clusterClock = overrides.clock ?? simulator?.sim.clock ?? systemClock
  // Every cluster starts at once: one that does not answer delays start-up by the cache's start
  // wait at most, and never the others.
  const clusters = await Promise.all(
    sources.clusters.map(({ name, kc }) =>
      startClusterRuntime({ name, kc, config, overrides, db, metrics, log, clock: clusterClock, contactIntervalMs: overrides.contactCheckIntervalMs ?? (sources.fromFile ? DEFAULT_CONTACT_CHECK_MS : 0) }),
    ),
  )
  await warmedUp
  const fleet = new Fleet(clusters, { refuseUnreachable: sources.fromFile })
  // Plans by id and across clusters, for queries; every write goes through its cluster's services.
  const planReader = db.plans
  const first = clusters[0]!
  const rollouts = new RolloutService(fleet, db.rollouts, auditRepository, config.policy, clusterClock)
  rollouts.onChange((rollout) => void fleet.clusters.find((c) => c.name === rollout.cluster)?.rolloutRunner.tick())
  // Webhooks are signed with wall-clock timestamps, whatever clock the cluster runs on.
  const events = new EventDeliverer(config.webhooks, db.outbox, new HttpWebhookSender(), systemClock, log.child({ component: 'events' }), {
    ...DEFAULT_DELIVERY_OPTIONS,
    // The host, as before: a restarted process takes its webhooks' delivery back at once.
    owner: hostname(),
    ...overrides.events,
  }, (webhook, type, outcome) => metrics.eventDeliveries.inc({ webhook, type, outcome }))

  const schema = await buildNodeplanSchema(
    new Map<Function, object>([
      [NodeResolver, new NodeResolver(fleet)],
      [PlanResolver, new PlanResolver(fleet, planReader)],
      [AuditResolver, new AuditResolver(audit, fleet)],
      [AuditVerifyResolver, new AuditVerifyResolver(audit)],
      [JoinResolver, new JoinResolver(fleet)],
      [ClusterResolver, new ClusterResolver(fleet)],
      [FleetResolver, new FleetResolver(new FleetOverview(fleet, planReader))],
      [MeResolver, new MeResolver(config.policy, fleet)],
      [SignalResolver, new SignalResolver(fleet)],
      [RolloutResolver, new RolloutResolver(rollouts)],
      [RolloutWaveResolver, new RolloutWaveResolver(planReader)],
    ]),
  )
  const tokens = config.auth && config.tokensFile ? new TokensFile(config.tokensFile, config.auth, log) : null
  const { network } = config
  const runQuery = queryRunner({ maxQueryMs: network.maxRequestMs, listElementsCounted: (kept, made) => metrics.countListElements(kept, made) })
  const subscriptions = startSubscriptionServer({
    schema,
    auth: tokens,
    log,
    planProgress: new PlanProgress(planReader, db.planWrites),
    rolloutProgress: new RolloutProgress(rollouts, db.planWrites),
    mutations: network.websocketMutations,
    mutationTimed: (args, run) => metrics.timeMutation(args, run),
    runQuery,
    bounds: { maxRequestMs: network.maxRequestMs, maxResponseBytes: network.maxResponseBytes },
  })
  tokens?.onReload(() => subscriptions.revalidate())
  if (tokens) {
    // Accepted (the file may name a cluster before it joins), but said at start and on each reload.
    const unserved = () => {
      const clusters = tokens.clustersNamed().filter((name) => !fleet.names().includes(name))
      if (clusters.length) log.warn('the tokens file names clusters this server does not serve: a token limited to them reaches none of them', { clusters, served: fleet.names() })
    }
    unserved()
    tokens.onReload(unserved)
  }
  tokens?.watch()
  const http = await startHttpServer({
    host: config.host,
    port: config.port,
    schema,
    auth: tokens,
    log,
    metrics,
    plugins: [metrics.apolloPlugin(), unreachableClustersPlugin()],
    runQuery,
    subscriptions,
    origins: { allowedHosts: network.allowedHosts, allowedOrigins: network.allowedOrigins },
    connections: { idleTimeoutMs: network.idleTimeoutMs, maxConnections: network.maxConnections, maxConnectionsPerAddress: network.maxConnectionsPerAddress },
    connectionEvents: metrics.connectionEvents(),
    bounds: { maxRequestMs: network.maxRequestMs, maxResponseBytes: network.maxResponseBytes },
    routes: [signalIntakeRoute(fleet)],
    readiness: readinessChecks(db, fleet, sources.fromFile),
  })
  // Events wait in the database until delivered: no need to wait for the cluster.
  await events.start()
  log.info('nodeplan is serving', { url: `${http.url}/graphql`, database: db.provider })

  // A replica whose clusters start synced answers with their first leader attempts made, so a
  // leader's watcher is already subscribed when start-up returns.
  await Promise.all(clusters.map((c) => c.started))
  // Each cluster's rollouts: those a previous process (or a dead replica, once its lease expired) left running go on.
  for (const { rolloutRunner } of clusters) {
    rolloutRunner.start(overrides.rolloutIntervalMs ?? Math.min(DEFAULT_ROLLOUT_INTERVAL_MS, Math.ceil((config.applyLeaseSeconds * 1000) / 3)))
    void rolloutRunner.tick()
  }

  return {
    url: http.url,
    schema,
    http,
    tokens,
    db,
    cache: first.cache,
    simulator,
    fleet,
    services: { ...first, audit, events, rollouts },
    async close() {
      tokens?.stop()
      await http.close(config.shutdownGraceMs)
      await Promise.all(clusters.map((c) => c.close()))
      await events.stop()
      await db.close()
      await simulator?.close()
    },
  }
}

function logAuditSeal(db: Database, log: Logger): void {
  const seal = db.auditSeal
  if (seal.state === 'unkeyed') {
    log.warn('no audit key (--audit-key-file, NODEPLAN_AUDIT_KEY): verifyAuditTrail detects accidental damage only, not a rewrite by someone with write access to the database')
  } else if (seal.state === 'sealed-now') {
    log.warn(`sealed the audit trail with the audit key: the ${seal.events} events before were taken as they stand (an audit.sealed event records it)`)
  } else if (seal.state === 'broken' || seal.state === 'removed') {
    log.error(`the audit trail's head seal ${seal.state === 'broken' ? 'does not hold (moved outside nodeplan, written without the key, or another key)' : 'was removed'}: verifyAuditTrail reports it; see README "Audit trail you can trust" (--audit-reseal)`)
  }
}

/**
 * Without a clusters file, as before: the replica is ready when the database and the cluster are.
 * With one, each cluster's line says how it stands, and an unreachable cluster does not take the
 * replica out of service for the others: it is ready while the database and one cluster are.
 */
function readinessChecks(db: Database, fleet: Fleet<ClusterRuntime>, fromFile: boolean): ReadinessCheck[] {
  const database: ReadinessCheck = { name: 'database', check: () => db.ping(), failure: 'database unreachable' }
  if (!fromFile) {
    const { cache } = fleet.clusters[0]!
    return [
      database,
      { name: 'kubernetes', check: () => cache.ping(), failure: 'Kubernetes API unreachable' },
      {
        name: 'cache',
        check: async () => {
          if (!cache.synced()) throw new Error('the first list of nodes and pods has not arrived yet')
        },
        failure: 'the first list of nodes and pods has not arrived yet',
      },
    ]
  }
  const perCluster: ReadinessCheck[] = fleet.clusters.map((c) => ({
    name: `cluster:${c.name}`,
    informational: true,
    check: async () => {
      if (!c.cache.synced()) throw new Error('not synced')
      if (!(await c.contact.check()).reachable) throw new Error('unreachable')
    },
    failure: 'unreachable',
  }))
  return [
    database,
    {
      name: 'clusters',
      check: async () => {
        if (!fleet.clusters.some((c) => c.contact.status().reachable)) throw new Error('no cluster reachable')
      },
      failure: 'no cluster reachable',
    },
    ...perCluster,
  ]
}
