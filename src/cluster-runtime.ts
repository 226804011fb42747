// Composition of one cluster's services (part of the composition root, with main.ts): its API
// transport, informer cache, contact check, system-node guard, plans and applies, node lifecycle
// under its own leader Lease (in that cluster), and health signals. Every cluster of a fleet gets
// one; none waits on another.
import type { KubeConfig } from '@kubernetes/client-node'
import { ApplyLeaseKeeper } from './app/apply-lease.js'
import { ApplyResumer } from './app/apply-resume.js'
import { ApplyRunner, DEFAULT_APPLY_OPTIONS, type ApplyOptions } from './app/apply-runner.js'
import { ApplyService } from './app/apply.service.js'
import { ConditionSignals } from './app/condition-signals.js'
import { DowntimeWatcher } from './app/downtime-watcher.js'
import { LifecycleProposals } from './app/lifecycle-proposals.js'
import { RolloutRunner } from './app/rollout-runner.js'
import { SystemPlans } from './app/system-plans.js'
import type { ClusterServices } from './app/fleet.js'
import { InventoryService } from './app/inventory.service.js'
import { JoinService } from './app/join.service.js'
import { LeaderElection } from './app/leader-election.js'
import { DEFAULT_PLAN_EXPIRY_INTERVAL_MS, PlanExpiry } from './app/plan-expiry.js'
import { PlanService } from './app/plan.service.js'
import { PROCESS_IDENTITY } from './app/process-identity.js'
import { RecordedApproval } from './app/recorded-approval.js'
import type { Clock, PlanRepository } from './app/ports.js'
import { SignalService } from './app/signal.service.js'
import { SystemNodesService } from './app/system-nodes.service.js'
import type { Database } from './adapters/db/database.js'
import { KubernetesBootstrapTokens } from './adapters/kubernetes/bootstrap-tokens.js'
import { KubernetesClusterCache } from './adapters/kubernetes/cluster-cache.js'
import { KubernetesClusterContact } from './adapters/kubernetes/cluster-contact.js'
import { KubernetesApi } from './adapters/kubernetes/kubernetes-api.js'
import { KubernetesLeaderLease } from './adapters/kubernetes/leader-lease.js'
import { KubernetesNodeWriter } from './adapters/kubernetes/node-writer.js'
import { systemClock } from './app/system-clock.js'
import type { ServeConfig } from './config.js'
import type { Logger } from './logger.js'
import type { NodeplanOverrides } from './main.js'
import { MeteredApplyLeases, MeteredAuditRepository, MeteredPlanRepository } from './server/metered-repositories.js'
import type { NodeplanMetrics } from './server/metrics.js'

export interface ClusterRuntime extends ClusterServices {
  api: KubernetesApi
  cache: KubernetesClusterCache
  contact: KubernetesClusterContact
  /** This cluster's plans, metered (what its services write through). */
  planRepository: PlanRepository
  /** Resumes plans left mid-apply (a crash, an expired lease). */
  resumer: ApplyResumer
  downtime: DowntimeWatcher
  expiry: PlanExpiry
  leader: LeaderElection
  conditionSignals: ConditionSignals
  /** Drives this cluster's rollouts; main starts it once the server is up. */
  rolloutRunner: RolloutRunner
  /** The first lists arrived within the start-up wait. */
  syncedAtStart: boolean
  /** Resolves once this cluster's leader made its first attempt (or at once when it has not synced). */
  started: Promise<void>
  close(): Promise<void>
}

export interface ClusterRuntimeDeps {
  name: string
  kc: KubeConfig
  config: ServeConfig
  overrides: NodeplanOverrides
  db: Database
  metrics: NodeplanMetrics
  log: Logger
  clock: Pick<Clock, 'now'>
  /** How often the API server is asked whether it answers (0: only on demand). */
  contactIntervalMs: number
}

export async function startClusterRuntime(d: ClusterRuntimeDeps): Promise<ClusterRuntime> {
  const { name, config, overrides, metrics, clock } = d
  const log = d.log.child({ cluster: name })
  const repos = d.db.forCluster(name)
  // One transport (keep-alive, timeouts, request counts) for the cache and the writer.
  const api = new KubernetesApi(d.kc)
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
  const contact = new KubernetesClusterContact(api, cache, { clock, cluster: name, log })
  await contact.check()
  contact.start(d.contactIntervalMs)

  const m = metrics.forCluster(name, api.counter, () => inventory.nodes())
  const planRepository = new MeteredPlanRepository(repos.plans, m)
  const auditRepository = new MeteredAuditRepository(repos.audit, m)
  const inventory = new InventoryService(cache)
  const plans = new PlanService(cache, planRepository, config.policy)
  const applyOptions: ApplyOptions = { ...DEFAULT_APPLY_OPTIONS, parallelism: config.applyParallelism, leaseMs: config.applyLeaseSeconds * 1000, ...overrides.apply }
  const applyLeases = new ApplyLeaseKeeper(new MeteredApplyLeases(repos.leases, m), applyOptions, log)
  const applyRunner = new ApplyRunner(cache, new KubernetesNodeWriter(api, { log }), planRepository, applyLeases, log, applyOptions)
  const approval = new RecordedApproval(auditRepository, config.policy)
  const applier = new ApplyService(cache, planRepository, config.policy, approval, applyLeases, applyRunner)
  const resumer = new ApplyResumer(planRepository, applyLeases, applyRunner, approval, log)
  const join = new JoinService(new KubernetesBootstrapTokens(api), auditRepository, clock, log)
  const systemNodes = new SystemNodesService(cache)
  // Plans' createdAt comes from the database's clock, the system's.
  const expiry = new PlanExpiry(planRepository, config.policy, systemClock, log)
  // What nodeplan proposes on its own (health signals, the node lifecycle) goes through one place.
  const systemPlans = new SystemPlans(plans, applier, planRepository, log)
  const signals = new SignalService(cache, systemPlans, repos.signals, config.policy, clock, log.child({ component: 'signals' }), {
    received: (source, action) => m.signalsReceived.inc({ source, action }),
    proposal: (outcome) => m.signalProposals.inc({ outcome }),
  })
  // Every replica's informer sees every condition change: only the leader reports them (below).
  const conditionSignals = new ConditionSignals(cache, signals, config.policy, log.child({ component: 'signals' }))
  const rolloutRunner = new RolloutRunner({ name, cache, planRepository, applier }, d.db.rollouts, config.policy, clock, log.child({ component: 'rollouts' }), {
    owner: PROCESS_IDENTITY,
    leaseMs: config.applyLeaseSeconds * 1000,
    leaseClock: systemClock,
  })
  const downtime = new DowntimeWatcher(cache, auditRepository, new LifecycleProposals(cache, systemPlans, config.policy, log), clock, log)
  const downtimeCheckMs = overrides.downtimeCheckIntervalMs ?? config.downtimeCheckSeconds * 1000
  // The node lifecycle runs on one replica per cluster: the holder of that cluster's leader Lease.
  const leaseSeconds = config.leaderLease.seconds
  const lease = `${config.leaderLease.namespace}/${config.leaderLease.name}`
  let leaseFailing = false
  const leader = new LeaderElection(
    new KubernetesLeaderLease(api, config.leaderLease.namespace, config.leaderLease.name),
    { identity: PROCESS_IDENTITY, leaseSeconds, retrySeconds: Math.max(0.2, leaseSeconds / 5) },
    {
      startedLeading() {
        m.leader.set(1)
        log.info('leading: this replica runs the node lifecycle', { lease })
        downtime.start(downtimeCheckMs)
        void downtime.takeOver()
        conditionSignals.start()
      },
      stoppedLeading() {
        m.leader.set(0)
        log.warn('no longer leading: another replica runs the node lifecycle', { lease })
        void downtime.stop()
        void conditionSignals.stop()
      },
      attempt(result, error) {
        m.leaderLeaseAttempts.inc({ result })
        // Said once per run of failures: a missing Role (403) or an unreachable API server.
        if (result === 'error' && !leaseFailing) log.warn('cannot read or renew the leader Lease: the node lifecycle waits for it', { error, lease })
        leaseFailing = result === 'error'
      },
    },
  )

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
    if (!syncedAtStart) void contact.check()
    await leader.start()
    leaderTried()
    await resumer.resumeInterrupted().catch((err: unknown) => log.error('resuming interrupted plans failed', { error: err }))
    // A dead replica's plan is taken over within about a lease and a third of it.
    if (!closing) resumer.start(overrides.leaseSweepIntervalMs)
    if (!closing) expiry.start(overrides.planExpiryIntervalMs ?? DEFAULT_PLAN_EXPIRY_INTERVAL_MS)
  })
  // A replica that starts synced answers with its first leader attempt made, so a leader's watcher
  // is already subscribed when start-up returns.
  const started = syncedAtStart ? Promise.race([firstLeaderAttempt, afterSync]) : Promise.resolve()

  return {
    name,
    api,
    cache,
    contact,
    inventory,
    plans,
    applier,
    planRepository,
    resumer,
    join,
    systemNodes,
    signals,
    downtime,
    expiry,
    leader,
    conditionSignals,
    rolloutRunner,
    syncedAtStart,
    started,
    async close() {
      closing = true
      stopWaiting()
      await afterSync
      await rolloutRunner.stop()
      contact.stop()
      await resumer.stop()
      await expiry.stop()
      await leader.stop()
      await downtime.stop()
      await conditionSignals.stop()
      await cache.stop()
    },
  }
}
