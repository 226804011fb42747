// Composition root: config → adapters → services → server. Nothing else constructs adapters.
import { hostname } from 'node:os'
import type { GraphQLSchema } from 'graphql'
import { ApplyLeaseKeeper } from './app/apply-lease.js'
import { ApplyResumer } from './app/apply-resume.js'
import { ApplyRunner, DEFAULT_APPLY_OPTIONS, type ApplyOptions } from './app/apply-runner.js'
import { ApplyService } from './app/apply.service.js'
import { AuditService } from './app/audit.service.js'
import { DowntimeWatcher } from './app/downtime-watcher.js'
import { DEFAULT_DELIVERY_OPTIONS, EventDeliverer, type DeliveryOptions } from './app/event-deliverer.js'
import { InventoryService } from './app/inventory.service.js'
import { JoinService } from './app/join.service.js'
import { LeaderElection } from './app/leader-election.js'
import { PlanProgress } from './app/plan-progress.js'
import { DEFAULT_PLAN_EXPIRY_INTERVAL_MS, PlanExpiry } from './app/plan-expiry.js'
import { PlanService } from './app/plan.service.js'
import { PROCESS_IDENTITY } from './app/process-identity.js'
import { RecordedApproval } from './app/recorded-approval.js'
import { RolloutProgress } from './app/rollout-progress.js'
import { RolloutService } from './app/rollout.service.js'
import { RolloutRunner } from './app/rollout-runner.js'
import { SignalService } from './app/signal.service.js'
import { ConditionSignals } from './app/condition-signals.js'
import type { Clock } from './app/ports.js'
import { SystemNodesService } from './app/system-nodes.service.js'
import { openDatabase, type Database } from './adapters/db/database.js'
import { KubernetesBootstrapTokens } from './adapters/kubernetes/bootstrap-tokens.js'
import { KubernetesClusterCache } from './adapters/kubernetes/cluster-cache.js'
import { KubernetesApi } from './adapters/kubernetes/kubernetes-api.js'
import { kubeConfigFromString, loadKubeConfig } from './adapters/kubernetes/kubeconfig.js'
import { KubernetesLeaderLease } from './adapters/kubernetes/leader-lease.js'
import { KubernetesNodeWriter } from './adapters/kubernetes/node-writer.js'
import { systemClock } from './app/system-clock.js'
import { HttpWebhookSender } from './adapters/webhook/http-webhook-sender.js'
import type { ServeConfig } from './config.js'
import { AuditResolver } from './graphql/audit/audit.resolver.js'
import { AuditVerifyResolver } from './graphql/audit/verify.resolver.js'
import { ClusterResolver } from './graphql/cluster/cluster.resolver.js'
import { JoinResolver } from './graphql/join/join.resolver.js'
import { MeResolver } from './graphql/me/me.resolver.js'
import { NodeResolver } from './graphql/node/node.resolver.js'
import { PlanResolver } from './graphql/plan/plan.resolver.js'
import { RolloutResolver, RolloutWaveResolver } from './graphql/rollout/rollout.resolver.js'
import { SignalResolver } from './graphql/signal/signal.resolver.js'
import { buildNodeplanSchema } from './graphql/schema.js'
import { createLogger, type Logger } from './logger.js'
import { TokensFile } from './tokens-file.js'
import { startHttpServer, type RunningHttpServer } from './server/http-server.js'
import { signalIntakeRoute } from './server/signal-intake.js'
import { queryRunner } from './server/query-runner.js'
import { startSubscriptionServer } from './server/subscriptions.js'
import { MeteredApplyLeases, MeteredAuditRepository, MeteredPlanRepository } from './server/metered-repositories.js'
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
  /** How often this replica looks for plans whose apply lease expired; 0: only when resumer.sweep() is called. */
  leaseSweepIntervalMs?: number
  /** How often this replica expires plans older than policy.planMaxAgeHours; 0: only when expiry.expire() is called. */
  planExpiryIntervalMs?: number
  /** How often this replica advances the rollouts it drives; 0: only when rolloutRunner.tick() is called. */
  rolloutIntervalMs?: number
  /** Webhook delivery timing (poll interval, backoff, lease). */
  events?: Partial<DeliveryOptions>
}

export interface RunningNodeplan {
  url: string
  /** The executable schema the HTTP server and subscriptions serve. */
  schema: GraphQLSchema
  http: RunningHttpServer
  /** The tokens file in force, read again when it changes; null without one. */
  tokens: TokensFile | null
  db: Database
  cache: KubernetesClusterCache
  simulator: RunningSimulator | null
  services: {
    inventory: InventoryService
    plans: PlanService
    applier: ApplyService
    /** Resumes plans left mid-apply (a crash, an expired lease). */
    resumer: ApplyResumer
    audit: AuditService
    join: JoinService
    systemNodes: SystemNodesService
    downtime: DowntimeWatcher
    expiry: PlanExpiry
    leader: LeaderElection
    events: EventDeliverer
    signals: SignalService
    conditionSignals: ConditionSignals
    rollouts: RolloutService
    rolloutRunner: RolloutRunner
  }
  close(): Promise<void>
}

export async function startNodeplan(config: ServeConfig, overrides: NodeplanOverrides = {}): Promise<RunningNodeplan> {
  const log = overrides.log ?? createLogger({ level: config.logLevel })

  // First: a database that is corrupt or not nodeplan's stops start-up before anything else runs.
  const db = await openDatabase(config.databaseUrl, { auditKey: config.auditKey, auditReseal: config.auditReseal, log })

  let simulator: RunningSimulator | null = null
  const found = loadKubeConfig({ kubeconfigPath: config.kubeconfigPath })
  let kc
  if (found) {
    kc = found.kc
    log.info(`using the Kubernetes cluster at ${kc.getCurrentCluster()?.server ?? '?'} (kubeconfig from ${found.source})`, {
      context: kc.getCurrentContext(),
    })
  } else {
    const { startSimulator } = await import('./simulator/index.js')
    simulator = await startSimulator({ port: 0 })
    log.warn(
      `no kubeconfig found (--kubeconfig, KUBECONFIG, ~/.kube/config, in-cluster): using the embedded SIMULATED Run:ai cluster at ${simulator.url}; nothing real is changed`,
      { simulator: simulator.url },
    )
    kc = kubeConfigFromString(simulator.kubeconfig)
  }

  if (!config.auth) {
    log.warn(`no tokens file (--tokens, NODEPLAN_TOKENS_FILE): listening on ${config.host} only, every caller is a local admin`)
  }
  logAuditSeal(db, log)

  // While the cache makes its first lists: the first apply after start should not wait for Prisma to plan its queries.
  const warmedUp = db.warmUp().catch((err: unknown) => log.warn('warming up the apply queries failed; the first apply plans them', { error: err }))

  // One transport (keep-alive, timeouts, request counts) for the cache and the writer.
  const api = new KubernetesApi(kc)
  const cache = new KubernetesClusterCache(api, { log, ...(overrides.cacheStartTimeoutMs !== undefined ? { startTimeoutMs: overrides.cacheStartTimeoutMs } : {}) })
  // A slow or unreachable API server does not stop the service: it serves, /readyz says why it is
  // not ready, and queries answer KUBERNETES_UNAVAILABLE until the first list arrives.
  const syncedAtStart = await cache.start().then(
    () => true,
    (err: unknown) => {
      log.warn(`${(err as Error).message}: serving anyway, not ready until the first list arrives`)
      return false
    },
  )

  await warmedUp

  const inventory = new InventoryService(cache)
  const metrics = new NodeplanMetrics({ inventory, kubernetesRequests: api.counter })
  // Every writer of plans and audit events goes through these, so /metrics counts them all.
  const planRepository = new MeteredPlanRepository(db.plans, metrics)
  const auditRepository = new MeteredAuditRepository(db.audit, metrics)
  const plans = new PlanService(cache, planRepository, config.policy)
  const applyOptions: ApplyOptions = { ...DEFAULT_APPLY_OPTIONS, parallelism: config.applyParallelism, leaseMs: config.applyLeaseSeconds * 1000, ...overrides.apply }
  const applyLeases = new ApplyLeaseKeeper(new MeteredApplyLeases(db.leases, metrics), applyOptions, log)
  const applyRunner = new ApplyRunner(cache, new KubernetesNodeWriter(api, { log }), planRepository, applyLeases, log, applyOptions)
  const approval = new RecordedApproval(auditRepository, config.policy)
  const applier = new ApplyService(cache, planRepository, config.policy, approval, applyLeases, applyRunner)
  const resumer = new ApplyResumer(planRepository, applyLeases, applyRunner, approval, log)
  const audit = new AuditService(auditRepository)
  const clusterClock = overrides.clock ?? simulator?.sim.clock ?? systemClock
  const join = new JoinService(new KubernetesBootstrapTokens(api), auditRepository, clusterClock, log)
  const systemNodes = new SystemNodesService(cache)
  // Plans' createdAt comes from the database's clock, the system's.
  const expiry = new PlanExpiry(planRepository, config.policy, systemClock, log)
  // Webhooks are signed with wall-clock timestamps, whatever clock the cluster runs on.
  const events = new EventDeliverer(config.webhooks, db.outbox, new HttpWebhookSender(), systemClock, log.child({ component: 'events' }), {
    ...DEFAULT_DELIVERY_OPTIONS,
    // The host, as before: a restarted process takes its webhooks' delivery back at once.
    owner: hostname(),
    ...overrides.events,
  }, (webhook, type, outcome) => metrics.eventDeliveries.inc({ webhook, type, outcome }))
  const signals = new SignalService(cache, plans, applier, planRepository, db.signals, config.policy, clusterClock, log.child({ component: 'signals' }), {
    received: (source, action) => metrics.signalsReceived.inc({ source, action }),
    proposal: (outcome) => metrics.signalProposals.inc({ outcome }),
  })
  // Every replica's informer sees every condition change: only the leader reports them (below).
  const conditionSignals = new ConditionSignals(cache, signals, config.policy, log.child({ component: 'signals' }))
  const downtime = new DowntimeWatcher(cache, plans, applier, planRepository, auditRepository, config.policy, clusterClock, log)
  const rollouts = new RolloutService(cache, db.rollouts, auditRepository, config.policy, clusterClock)
  const rolloutRunner = new RolloutRunner(cache, db.rollouts, planRepository, applier, config.policy, clusterClock, log.child({ component: 'rollouts' }), {
    owner: DEFAULT_APPLY_OPTIONS.owner,
    leaseMs: config.applyLeaseSeconds * 1000,
    leaseClock: systemClock,
  })
  rollouts.onChange(() => void rolloutRunner.tick())
  const downtimeCheckMs = overrides.downtimeCheckIntervalMs ?? config.downtimeCheckSeconds * 1000
  // The node lifecycle runs on one replica per cluster: the holder of the leader Lease.
  const leaseSeconds = config.leaderLease.seconds
  let leaseFailing = false
  const leader = new LeaderElection(
    new KubernetesLeaderLease(api, config.leaderLease.namespace, config.leaderLease.name),
    { identity: PROCESS_IDENTITY, leaseSeconds, retrySeconds: Math.max(0.2, leaseSeconds / 5) },
    {
      startedLeading() {
        metrics.leader.set(1)
        log.info('leading: this replica runs the node lifecycle', { lease: `${config.leaderLease.namespace}/${config.leaderLease.name}` })
        downtime.start(downtimeCheckMs)
        void downtime.takeOver()
        conditionSignals.start()
      },
      stoppedLeading() {
        metrics.leader.set(0)
        log.warn('no longer leading: another replica runs the node lifecycle')
        void downtime.stop()
        void conditionSignals.stop()
      },
      attempt(result, error) {
        metrics.leaderLeaseAttempts.inc({ result })
        // Said once per run of failures: a missing Role (403) or an unreachable API server.
        if (result === 'error' && !leaseFailing) log.warn('cannot read or renew the leader Lease: the node lifecycle waits for it', { error })
        leaseFailing = result === 'error'
      },
    },
  )

  const schema = await buildNodeplanSchema(
    new Map<Function, object>([
      [NodeResolver, new NodeResolver(inventory, plans)],
      [PlanResolver, new PlanResolver(plans, applier)],
      [AuditResolver, new AuditResolver(audit)],
      [AuditVerifyResolver, new AuditVerifyResolver(audit)],
      [JoinResolver, new JoinResolver(join)],
      [ClusterResolver, new ClusterResolver(systemNodes)],
      [MeResolver, new MeResolver(config.policy)],
      [SignalResolver, new SignalResolver(signals)],
      [RolloutResolver, new RolloutResolver(rollouts)],
      [RolloutWaveResolver, new RolloutWaveResolver(plans)],
    ]),
  )
  const tokens = config.auth && config.tokensFile ? new TokensFile(config.tokensFile, config.auth, log) : null
  const { network } = config
  const runQuery = queryRunner({ maxQueryMs: network.maxRequestMs, listElementsCounted: (kept, made) => metrics.countListElements(kept, made) })
  const subscriptions = startSubscriptionServer({
    schema,
    auth: tokens,
    log,
    planProgress: new PlanProgress(planRepository, db.planWrites),
    rolloutProgress: new RolloutProgress(db.rollouts, db.planWrites),
    mutations: network.websocketMutations,
    mutationTimed: (args, run) => metrics.timeMutation(args, run),
    runQuery,
    bounds: { maxRequestMs: network.maxRequestMs, maxResponseBytes: network.maxResponseBytes },
  })
  tokens?.onReload(() => subscriptions.revalidate())
  tokens?.watch()
  const http = await startHttpServer({
    host: config.host,
    port: config.port,
    schema,
    auth: tokens,
    log,
    metrics,
    plugins: [metrics.apolloPlugin()],
    runQuery,
    subscriptions,
    origins: { allowedHosts: network.allowedHosts, allowedOrigins: network.allowedOrigins },
    connections: { idleTimeoutMs: network.idleTimeoutMs, maxConnections: network.maxConnections, maxConnectionsPerAddress: network.maxConnectionsPerAddress },
    connectionEvents: metrics.connectionEvents(),
    bounds: { maxRequestMs: network.maxRequestMs, maxResponseBytes: network.maxResponseBytes },
    routes: [signalIntakeRoute(signals)],
    readiness: [
      { name: 'database', check: () => db.ping(), failure: 'database unreachable' },
      { name: 'kubernetes', check: () => cache.ping(), failure: 'Kubernetes API unreachable' },
      {
        name: 'cache',
        check: async () => {
          if (!cache.synced()) throw new Error('the first list of nodes and pods has not arrived yet')
        },
        failure: 'the first list of nodes and pods has not arrived yet',
      },
    ],
  })
  // Events wait in the database until delivered: no need to wait for the cluster.
  await events.start()
  log.info('nodeplan is serving', { url: `${http.url}/graphql`, database: db.provider })

  // What needs the cluster's state starts once the cache has it: the downtime watcher (after the
  // first list, so the nodes it found are not reported as registered), then resuming plans a
  // previous process left mid-apply, then, as long as it runs, taking over plans another replica
  // left when it died (its apply lease expired).
  let closing = false
  let stopWaiting = () => {}
  const stopped = new Promise<void>((resolve) => (stopWaiting = resolve))
  let leaderTried = () => {}
  const firstLeaderAttempt = new Promise<void>((resolve) => (leaderTried = resolve))
  const afterSync = Promise.race([syncedAtStart ? Promise.resolve() : cache.whenSynced(), stopped]).then(async () => {
    if (closing) return
    if (!syncedAtStart) log.info('the first list of nodes and pods has arrived: ready')
    await leader.start()
    leaderTried()
    await resumer.resumeInterrupted().catch((err: unknown) => log.error('resuming interrupted plans failed', { error: err }))
    if (!closing) resumer.start(overrides.leaseSweepIntervalMs)
    if (!closing) expiry.start(overrides.planExpiryIntervalMs ?? DEFAULT_PLAN_EXPIRY_INTERVAL_MS)
    // Rollouts left running by a previous process (or a dead replica, once its lease expired) go on.
    if (!closing) {
      rolloutRunner.start(overrides.rolloutIntervalMs ?? Math.min(DEFAULT_ROLLOUT_INTERVAL_MS, Math.ceil((config.applyLeaseSeconds * 1000) / 3)))
      void rolloutRunner.tick()
    }
  })

  // A replica that starts synced answers with its first leader attempt made, so a leader's watcher
  // is already subscribed when start-up returns.
  if (syncedAtStart) await Promise.race([firstLeaderAttempt, afterSync])

  return {
    url: http.url,
    schema,
    http,
    tokens,
    db,
    cache,
    simulator,
    services: { inventory, plans, applier, resumer, audit, join, systemNodes, downtime, expiry, leader, events, signals, conditionSignals, rollouts, rolloutRunner },
    async close() {
      closing = true
      stopWaiting()
      tokens?.stop()
      await http.close(config.shutdownGraceMs)
      await afterSync
      await resumer.stop()
      await expiry.stop()
      await rolloutRunner.stop()
      await leader.stop()
      await downtime.stop()
      await conditionSignals.stop()
      await events.stop()
      await cache.stop()
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
