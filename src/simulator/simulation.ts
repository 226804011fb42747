// The simulated Run:ai cluster: the object stores plus the controllers that make it behave like
// one, each in its own module and owning its state, run by the settle loop (settle-loop.ts):
// the taint manager, workload completion, the workload and DaemonSet controllers, the scheduler
// and PDB status. Beside them: admission of API writes, the kubelets and node lifecycle, bootstrap
// tokens, faults and the request log. Nothing uses wall-clock timers; time is the simulated clock.
import { Admission } from './admission.js'
import { BootstrapTokens, type JoinResult } from './bootstrap-tokens.js'
import { SimClock } from './clock.js'
import { FaultInjector, type Faults } from './faults.js'
import { Kubelets } from './kubelets.js'
import { NodeLifecycle, type RebootOptions, type RebootResult } from './node-lifecycle.js'
import { gpuCapacity, isReady } from './node-object.js'
import { PdbController, type PdbStatus } from './pdb-controller.js'
import { PodScheduler } from './pod-scheduler.js'
import { Random } from './random.js'
import { RequestLog, type RequestRecord } from './request-log.js'
import type { ResourceType } from './resources.js'
import { taintsOf, type Taint } from './scheduling.js'
import { DEFAULT_SHAPE, nodePoolsProblem, POOL_LABEL, ROLE_PREFIX, type ClusterShape } from './seed.js'
import { loadSeed } from './seed-loader.js'
import { SimContext } from './sim-context.js'
import type { KubeObject, StoreEvent } from './store.js'
import { TaintManager } from './taint-manager.js'
import { WorkloadCompletion, type FinishingPod, type PodFilter } from './workload-completion.js'
import { WorkloadControllers } from './workload-controllers.js'

export type { JoinResult } from './bootstrap-tokens.js'
export type { RequestRecord } from './request-log.js'

export interface SimulationOptions extends Partial<ClusterShape> {
  seed?: number
  /** Where the simulated clock starts; defaults to the wall clock at start. */
  startTime?: Date
  /** Watch events kept per resource type; a watch from an older resourceVersion gets 410 Gone. */
  watchHistoryLimit?: number
  /** How long the controllers act on API writes before answering waiting requests (at least one step). Default 4 ms. */
  controllerSliceMs?: number
}

export interface NodeSummary {
  name: string
  ready: boolean
  unschedulable: boolean
  failed: boolean
  /** The reboot under way, or null. */
  rebooting: RebootResult | null
  bootID: string
  /** Its `run.ai/node-pool` label, or null. */
  pool: string | null
  roles: string[]
  taints: Taint[]
  gpus: number
  gpusUsed: number
  pods: number
}

export interface SimulationState {
  clock: string
  resourceVersion: string
  nodes: NodeSummary[]
  deletedNodes: string[]
  pods: { total: number; pending: number; succeeded: number; byNode: Record<string, number> }
  faults: Faults | null
}

export class Simulation extends SimContext {
  readonly shape: ClusterShape

  private readonly admission: Admission
  private readonly kubelets: Kubelets
  private readonly lifecycle: NodeLifecycle
  private readonly tokens: BootstrapTokens
  private readonly taintManager: TaintManager
  private readonly completion: WorkloadCompletion
  private readonly workloads: WorkloadControllers
  private readonly scheduler: PodScheduler
  private readonly pdbController: PdbController
  private readonly faultInjector: FaultInjector
  private readonly requestLog = new RequestLog()
  private readonly tickListeners = new Set<() => void>()
  private succeeded = 0

  constructor(options: SimulationOptions = {}) {
    const shape: ClusterShape = {
      systemNodes: options.systemNodes ?? DEFAULT_SHAPE.systemNodes,
      gpuNodes: options.gpuNodes ?? DEFAULT_SHAPE.gpuNodes,
      cpuNodes: options.cpuNodes ?? DEFAULT_SHAPE.cpuNodes,
      gpusPerNode: options.gpusPerNode ?? DEFAULT_SHAPE.gpusPerNode,
      ...(options.podsPerGpuNode !== undefined ? { podsPerGpuNode: options.podsPerGpuNode } : {}),
      ...(options.nodePools?.length ? { nodePools: options.nodePools } : {}),
      ...(options.trainingSeconds !== undefined ? { trainingSeconds: options.trainingSeconds } : {}),
    }
    const poolsProblem = nodePoolsProblem(shape.nodePools ?? [], shape.gpuNodes)
    if (poolsProblem) throw new RangeError(poolsProblem)
    if (shape.trainingSeconds !== undefined && !(shape.trainingSeconds >= 0)) throw new RangeError(`trainingSeconds must be >= 0, got ${shape.trainingSeconds}`)
    const seed = options.seed ?? 1
    super(new SimClock(options.startTime ?? new Date()), new Random(seed), { watchHistoryLimit: options.watchHistoryLimit, controllerSliceMs: options.controllerSliceMs ?? 4 })
    this.shape = shape
    this.faultInjector = new FaultInjector(seed ^ 0x5bd1e995)

    this.admission = new Admission(this)
    this.kubelets = new Kubelets(this)
    this.lifecycle = new NodeLifecycle(this.nodes, this.clock, this.random, this.kubelets.identities)
    this.tokens = new BootstrapTokens(this, this.kubelets)
    this.taintManager = new TaintManager(this)
    this.completion = new WorkloadCompletion(this.pods, this.clock, this.settle)
    this.scheduler = new PodScheduler(this)
    this.workloads = new WorkloadControllers(this, this.scheduler)
    this.pdbController = new PdbController(this)
    this.loop.add(this.taintManager, this.completion, this.workloads, this.scheduler, this.pdbController)

    this.nodes.listen((e) => this.onNode(e))
    this.pods.listen((e) => this.onPod(e))
    this.pdbs.listen((e) => {
      if (e.type !== 'DELETED') this.pdbController.touch(e.object.metadata.namespace!)
      this.settle()
    })
    this.secrets.listen((e) => this.tokens.onSecret(e))
    this.clock.onAdvance(() => {
      this.tokens.cleanExpired()
      this.settle()
      for (const listener of [...this.tickListeners]) listener()
    })
    loadSeed(this, this.kubelets, this.shape)
    this.settle()
  }

  // ---- the operations behind /_sim ----

  /** Advances the simulated clock, running every controller action that falls due (same as clock.advance). */
  advance(seconds: number): void {
    this.clock.advance(seconds)
  }

  /** Listens to the passing of simulated time (watches send bookmarks on it). */
  onTick(listener: () => void): () => void {
    this.tickListeners.add(listener)
    return () => this.tickListeners.delete(listener)
  }

  /** The kubelet stops posting status: Ready goes Unknown and the unreachable taints follow. */
  failNode(name: string): void {
    this.lifecycle.fail(name)
  }

  /** The kubelet posts status again: Ready, and the node controller lifts the unreachable taints. */
  recoverNode(name: string): void {
    this.lifecycle.recover(name)
  }

  /** Reboots the machine: Ready Unknown, after `downSeconds` a new bootID and NotReady, after `notReadySeconds` Ready (see NodeLifecycle.reboot). */
  rebootNode(name: string, options: RebootOptions = {}): RebootResult {
    return this.lifecycle.reboot(name, options)
  }

  /** Puts the node in a node pool (the `run.ai/node-pool` label), or in none with `null`. */
  setNodePool(name: string, pool: string | null): void {
    this.lifecycle.setPool(name, pool)
  }

  /** The selected pods (not finished) go Succeeded `seconds` from now (a pending one: after it has run that long). */
  finishPodsAfter(seconds: number, filter: PodFilter): FinishingPod[] {
    return this.completion.finishAfter(seconds, filter)
  }

  /**
   * Restarts the kubelet. A deleted node registers again with only the kubelet's own labels
   * (no roles); an existing one just posts Ready status again.
   */
  restartKubelet(name: string): void {
    if (this.nodes.get(undefined, name)) this.lifecycle.recover(name)
    else this.kubelets.reregister(name)
  }

  /** What `kubeadm join --token id.secret` does: a matching, unexpired bootstrap token registers the node. */
  join(nodeName: string, token: string, gpus?: number): JoinResult {
    return this.tokens.join(nodeName, token, (name) => (name.startsWith('gpu') ? this.shape.gpusPerNode : 0), gpus)
  }

  setFaults(faults: Faults | null): void {
    this.faultInjector.set(faults)
  }

  faults(): Faults | null {
    return this.faultInjector.get()
  }

  /** A request met the faults in force (see Faults.times). */
  faultUsed(): void {
    this.faultInjector.used()
  }

  /** A number in [0, 1) from the fault stream (seeded, apart from the cluster's own randomness). */
  faultRoll(): number {
    return this.faultInjector.roll()
  }

  recordRequest(record: RequestRecord): void {
    this.requestLog.record(record)
  }

  requests(): RequestRecord[] {
    return this.requestLog.list()
  }

  clearRequests(): void {
    this.requestLog.clear()
  }

  state(): SimulationState {
    const byNode: Record<string, number> = {}
    const nodes: NodeSummary[] = this.nodes.list().map((node) => {
      const name = node.metadata.name
      byNode[name] = this.pods.countByIndex(name)
      return {
        name,
        ready: isReady(node),
        unschedulable: Boolean(node.spec?.unschedulable),
        failed: this.lifecycle.isFailed(name),
        rebooting: this.lifecycle.rebootOf(name),
        bootID: String(node.status?.nodeInfo?.bootID ?? ''),
        pool: node.metadata.labels?.[POOL_LABEL] ?? null,
        roles: Object.keys(node.metadata.labels ?? {})
          .filter((l) => l.startsWith(ROLE_PREFIX))
          .map((l) => l.slice(ROLE_PREFIX.length)),
        taints: taintsOf(node),
        gpus: gpuCapacity(node),
        gpusUsed: this.scheduler.gpusUsedOn(name),
        pods: byNode[name]!,
      }
    })
    return {
      clock: this.clock.timestamp(),
      resourceVersion: String(this.revision.current()),
      nodes,
      deletedNodes: this.kubelets.deleted(),
      pods: { total: this.pods.size, pending: this.scheduler.pendingCount(), succeeded: this.succeeded, byNode },
      faults: this.faults(),
    }
  }

  // ---- the API server's side ----

  /** Fills what the API server fills on create: uid, timestamps, generated names, defaults. */
  admitCreate(type: ResourceType, obj: KubeObject, namespace: string | undefined): KubeObject {
    return this.admission.admitCreate(type, obj, namespace)
  }

  /** Keeps what an update may not change, per resource and subresource. */
  admitUpdate(type: ResourceType, obj: KubeObject, old: KubeObject, subresource: 'main' | 'status'): KubeObject {
    return this.admission.admitUpdate(type, obj, old, subresource)
  }

  /** The pods/eviction subresource. */
  evict(namespace: string, name: string): void {
    this.pdbController.evict(namespace, name)
  }

  pdbStatus(pdb: KubeObject): PdbStatus {
    return this.pdbController.status(pdb)
  }

  /** Runs one API request's handling; the controllers react to its writes once it has answered. */
  asApiRequest<T>(handle: () => T): T {
    return this.loop.asApiRequest(handle)
  }

  signClusterInfo(): void {
    this.tokens.signClusterInfo()
  }

  /** kube-public/cluster-info, as kubeadm publishes it: the API server URL and CA, no credentials. */
  publishClusterInfo(server: string, caPem: string): void {
    this.tokens.publishClusterInfo(server, caPem)
  }

  // ---- what each write sets the controllers to do ----

  private onNode(e: StoreEvent): void {
    const name = e.object.metadata.name
    this.scheduler.observeNode(e)
    if (e.type === 'DELETED') {
      // Pod GC: pods bound to a node that no longer exists are deleted; so is its lease.
      for (const pod of this.pods.byIndex(name)) this.pods.delete(pod.metadata.namespace, pod.metadata.name)
      if (this.leases.get('kube-node-lease', name)) this.leases.delete('kube-node-lease', name)
      this.scheduler.forgetNode(name)
      this.lifecycle.forget(name)
    } else {
      this.taintManager.check(name)
      if (e.type === 'ADDED' && !this.seeding) this.workloads.runDaemonSets(e.object)
      this.kubelets.remember(e.object)
    }
    this.settle()
  }

  private onPod(e: StoreEvent): void {
    const pod = e.object
    const before = e.previous
    this.scheduler.observePod(e)
    this.succeeded += (e.type !== 'DELETED' && isSucceeded(pod) ? 1 : 0) - (before && isSucceeded(before) ? 1 : 0)
    if (e.type === 'DELETED') this.workloads.podDeleted(pod)
    else {
      if (pod.spec?.nodeName) this.taintManager.check(pod.spec.nodeName)
      this.completion.observe(pod)
    }
    this.pdbController.touch(pod.metadata.namespace!)
    this.settle()
  }
}

const isSucceeded = (pod: KubeObject): boolean => pod.status?.phase === 'Succeeded'
