// The simulated Run:ai cluster: the object database plus the controllers that make it behave
// like one (taint manager, Run:ai scheduler and workload controllers, DaemonSet controller,
// pod GC, node lifecycle, PDB status, bootstrap tokens). The controllers run synchronously after
// a write made directly, after the answer for a write made through the API (asApiRequest), a
// slice at a time with other requests answered in between, or on the simulated clock; nothing
// uses wall-clock timers.
import { AsyncLocalStorage } from 'node:async_hooks'
import { createHmac } from 'node:crypto'
import { SimClock } from './clock.js'
import type { Faults } from './faults.js'
import { gpuCapacity, isReady, kubeletLabels, nodeObject, type KubeletIdentity } from './node-object.js'
import { NodeLifecycle, type RebootOptions, type RebootResult } from './node-lifecycle.js'
import { DEFAULT_TOLERATIONS, isResubmitted, pendingStatus, podObject, runningStatus, type PodTemplate } from './pod-object.js'
import { Random } from './random.js'
import { RESOURCES, type ResourceType } from './resources.js'
import { factsOf, placementKey, schedulableFacts, scheduleDecision, type NodeFacts, type ScheduleDecision } from './scheduler.js'
import { evictionDecision, holdsResources, podGpus, taintsOf, type Taint, type Toleration } from './scheduling.js'
import { daemonPodTemplate, DEFAULT_SHAPE, nodePoolsProblem, POOL_LABEL, ROLE_PREFIX, seedCluster, type ClusterShape, type SeedDaemonSet } from './seed.js'
import { parseLabelSelector } from './selectors.js'
import { ApiError, badRequest, forbidden, invalid, notFound, tooManyRequests, type InvalidCause } from './status.js'
import { keyOf, ResourceStore, Revision, type KubeObject, type StoreEvent } from './store.js'
import { remainingRunSeconds, RUN_SECONDS_ANNOTATION, WorkloadCompletion, type FinishingPod, type PodFilter } from './workload-completion.js'

export interface SimulationOptions extends Partial<ClusterShape> {
  seed?: number
  /** Where the simulated clock starts; defaults to the wall clock at start. */
  startTime?: Date
  /** Watch events kept per resource type; a watch from an older resourceVersion gets 410 Gone. */
  watchHistoryLimit?: number
  /** How long the controllers act on API writes before answering waiting requests (at least one step). Default 4 ms. */
  controllerSliceMs?: number
}

export interface RequestRecord {
  /** get, list, watch, create, update, patch, delete, deletecollection */
  verb: string
  resource: string
  subresource: string | null
  namespace: string | null
  name: string | null
  /** The HTTP status; 0 while the request (e.g. a watch) is still open. */
  code: number
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

export interface JoinResult {
  node: string
  created: boolean
}

const REQUEST_LOG_LIMIT = 50_000
const TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/

const apiRequest = new AsyncLocalStorage<true>()

export class Simulation {
  readonly clock: SimClock
  readonly revision = new Revision()
  readonly stores = new Map<string, ResourceStore>()
  readonly nodes: ResourceStore
  readonly pods: ResourceStore
  readonly secrets: ResourceStore
  readonly configmaps: ResourceStore
  readonly namespaces: ResourceStore
  readonly daemonsets: ResourceStore
  readonly pdbs: ResourceStore
  readonly leases: ResourceStore
  readonly shape: ClusterShape

  private readonly random: Random
  private readonly faultRandom: Random
  private readonly identities = new Map<string, KubeletIdentity>()
  private readonly lifecycle: NodeLifecycle
  private readonly completion: WorkloadCompletion
  private readonly gpusUsed = new Map<string, number>()
  /** Pods not bound to a node, by key, as last stored: the scheduler's queue. */
  private readonly pending = new Map<string, KubeObject>()
  private readonly taintTimers = new Set<string>()
  private currentFaults: Faults | null = null
  private readonly tickListeners = new Set<() => void>()
  /** Token id → expiration, for tokens the token cleaner deleted (so a join can say why it fails). */
  private readonly cleanedTokens = new Map<string, string>()
  private requestLog: RequestRecord[] = []
  private succeeded = 0
  private ipCounter = 0
  private podCidrCounter = 0

  // Work the controllers still have to do after the current write.
  private readonly nodesToCheck = new Set<string>()
  private readonly podsToReplace: KubeObject[] = []
  private readonly pdbNamespaces = new Set<string>()
  private schedulerDirty = false
  /**
   * The scheduler's view of the schedulable nodes, in name order: a node that changes but stays
   * schedulable gets its entry replaced; one that is added, removed, or starts or stops being
   * schedulable drops the view, and the next pass rebuilds it.
   */
  private nodeFacts: NodeFacts[] | null = null
  /** Each node's index in nodeFacts. */
  private readonly factsIndex = new Map<string, number>()
  /** The nodes in nodeFacts with a free GPU, kept as GPUs are taken and freed. */
  private readonly withRoom = new Set<string>()
  /** Bumped whenever room may have appeared (a node changed, a pod holding resources went away). */
  private capacityEpoch = 0
  /** Pending pods that found no node, by the capacity epoch they were last tried at. */
  private readonly unschedulableAt = new Map<string, number>()
  private readonly placementKeys = new WeakMap<object, string>()
  private settling = false
  private settleQueued = false
  private readonly controllerSliceMs: number
  private seeding = false

  constructor(options: SimulationOptions = {}) {
    this.controllerSliceMs = options.controllerSliceMs ?? 4
    this.shape = {
      systemNodes: options.systemNodes ?? DEFAULT_SHAPE.systemNodes,
      gpuNodes: options.gpuNodes ?? DEFAULT_SHAPE.gpuNodes,
      cpuNodes: options.cpuNodes ?? DEFAULT_SHAPE.cpuNodes,
      gpusPerNode: options.gpusPerNode ?? DEFAULT_SHAPE.gpusPerNode,
      ...(options.podsPerGpuNode !== undefined ? { podsPerGpuNode: options.podsPerGpuNode } : {}),
      ...(options.nodePools?.length ? { nodePools: options.nodePools } : {}),
      ...(options.trainingSeconds !== undefined ? { trainingSeconds: options.trainingSeconds } : {}),
    }
    const poolsProblem = nodePoolsProblem(this.shape.nodePools ?? [], this.shape.gpuNodes)
    if (poolsProblem) throw new RangeError(poolsProblem)
    if (this.shape.trainingSeconds !== undefined && !(this.shape.trainingSeconds >= 0)) throw new RangeError(`trainingSeconds must be >= 0, got ${this.shape.trainingSeconds}`)
    const seed = options.seed ?? 1
    this.random = new Random(seed)
    this.faultRandom = new Random(seed ^ 0x5bd1e995)
    this.clock = new SimClock(options.startTime ?? new Date())
    for (const type of RESOURCES) {
      const indexKey = type.plural === 'pods' ? (o: KubeObject) => (o.spec?.nodeName as string | undefined) || undefined : undefined
      this.stores.set(storeKey(type), new ResourceStore(type, this.revision, indexKey, options.watchHistoryLimit))
    }
    const store = (plural: string, group = '') => this.stores.get(`${group}/${plural}`)!
    this.nodes = store('nodes')
    this.pods = store('pods')
    this.secrets = store('secrets')
    this.configmaps = store('configmaps')
    this.namespaces = store('namespaces')
    this.daemonsets = store('daemonsets', 'apps')
    this.pdbs = store('poddisruptionbudgets', 'policy')
    this.leases = store('leases', 'coordination.k8s.io')
    this.lifecycle = new NodeLifecycle(this.nodes, this.clock, this.random, this.identities)
    this.completion = new WorkloadCompletion(this.pods, this.clock, () => this.settle())

    this.nodes.listen((e) => this.onNode(e))
    this.pods.listen((e) => this.onPod(e))
    this.pdbs.listen((e) => {
      if (e.type !== 'DELETED') this.pdbNamespaces.add(e.object.metadata.namespace!)
      this.settle()
    })
    this.secrets.listen((e) => this.onSecret(e))
    this.clock.onAdvance(() => this.onClockAdvanced())
    this.seed()
  }

  store(type: ResourceType): ResourceStore {
    return this.stores.get(storeKey(type))!
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

  private onClockAdvanced(): void {
    // The token cleaner deletes expired bootstrap tokens (and so their cluster-info signatures).
    for (const secret of this.secrets.list('kube-system')) {
      if (secret.type !== 'bootstrap.kubernetes.io/token') continue
      const expiration = decodeData(secret).expiration
      if (expiration && !(Date.parse(expiration) > this.clock.nowMillis())) {
        this.secrets.delete('kube-system', secret.metadata.name)
        this.cleanedTokens.set(secret.metadata.name.replace(/^bootstrap-token-/, ''), expiration)
      }
    }
    this.settle()
    for (const listener of [...this.tickListeners]) listener()
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
    const existing = this.nodes.get(undefined, name)
    if (existing) {
      this.recoverNode(name)
      return
    }
    const identity = this.identities.get(name)
    if (!identity) throw notFound({ group: '', plural: 'nodes' }, name)
    this.registerNode(identity, kubeletLabels(name))
  }

  /** What `kubeadm join --token id.secret` does: a matching, unexpired bootstrap token registers the node. */
  join(nodeName: string, token: string, gpus?: number): JoinResult {
    if (!nodeName || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(nodeName)) throw badRequest(`invalid node name "${nodeName}"`)
    const m = TOKEN_PATTERN.exec(token ?? '')
    if (!m) throw badRequest(`the bootstrap token "${token}" was not of the form "^[a-z0-9]{6}\\.[a-z0-9]{16}$"`)
    const [, id, secret] = m as unknown as [string, string, string]
    const tokenSecret = this.secrets.get('kube-system', `bootstrap-token-${id}`)
    const noSignature = `couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "${id}"`
    if (!tokenSecret || tokenSecret.type !== 'bootstrap.kubernetes.io/token') {
      const cleaned = this.cleanedTokens.get(id)
      throw new ApiError(401, 'Unauthorized', cleaned ? `${noSignature} (the token expired at ${cleaned} and the token cleaner deleted it)` : noSignature)
    }
    const data = decodeData(tokenSecret)
    if (data['token-id'] !== id || data['token-secret'] !== secret) {
      throw new ApiError(401, 'Unauthorized', "couldn't validate the identity of the API Server: failed to verify JWS signature of received cluster info object, can't trust this API Server")
    }
    const expiration = data.expiration
    if (expiration && !(Date.parse(expiration) > this.clock.nowMillis())) {
      throw new ApiError(401, 'Unauthorized', `${noSignature} (the token expired at ${expiration})`)
    }
    if (data['usage-bootstrap-authentication'] !== 'true') {
      throw forbidden(`bootstrap token "${id}" may not be used for authentication: usage-bootstrap-authentication is not "true"`)
    }
    const existing = this.nodes.get(undefined, nodeName)
    if (existing) {
      throw new ApiError(
        409,
        'AlreadyExists',
        `a Node with name "${nodeName}" and status "${isReady(existing) ? 'Ready' : 'NotReady'}" already exists in the cluster. You must delete the existing Node or change the name of this new joining Node`,
      )
    }
    const identity =
      this.identities.get(nodeName) ??
      this.newIdentity(nodeName, gpus ?? (nodeName.startsWith('gpu') ? this.shape.gpusPerNode : 0))
    this.registerNode(identity, kubeletLabels(nodeName))
    return { node: nodeName, created: true }
  }

  setFaults(faults: Faults | null): void {
    this.currentFaults = faults && Object.keys(faults).length ? faults : null
  }

  faults(): Faults | null {
    return this.currentFaults
  }

  /** A number in [0, 1) from the fault stream (seeded, apart from the cluster's own randomness). */
  faultRoll(): number {
    return this.faultRandom.next()
  }

  recordRequest(record: RequestRecord): void {
    this.requestLog.push(record)
    if (this.requestLog.length > REQUEST_LOG_LIMIT) this.requestLog = this.requestLog.slice(-REQUEST_LOG_LIMIT / 2)
  }

  requests(): RequestRecord[] {
    return this.requestLog.map((r) => ({ ...r }))
  }

  clearRequests(): void {
    this.requestLog = []
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
        gpusUsed: this.gpusUsed.get(name) ?? 0,
        pods: byNode[name]!,
      }
    })
    return {
      clock: this.clock.timestamp(),
      resourceVersion: String(this.revision.current()),
      nodes,
      deletedNodes: [...this.identities.keys()].filter((n) => !this.nodes.get(undefined, n)).sort(),
      pods: { total: this.pods.size, pending: this.pending.size, succeeded: this.succeeded, byNode },
      faults: this.currentFaults,
    }
  }

  // ---- admission: defaulting and validation of writes made through the API ----

  /** Fills what the API server fills on create: uid, timestamps, generated names, defaults. */
  admitCreate(type: ResourceType, obj: KubeObject, namespace: string | undefined): KubeObject {
    if (type.plural === 'leases') checkLeaseTimes(obj)
    const meta = { ...obj.metadata }
    if (!meta.name && meta.generateName) meta.name = this.generatedName(this.store(type), namespace ?? meta.namespace, meta.generateName)
    if (!meta.name) {
      throw invalid({ group: type.group, kind: type.kind }, '', [
        { reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' },
      ])
    }
    if (type.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
      }
      meta.namespace = namespace ?? meta.namespace ?? 'default'
      const ns = this.namespaces.get(undefined, meta.namespace)
      if (!ns) throw notFound({ group: '', plural: 'namespaces' }, meta.namespace)
      if (ns.status?.phase === 'Terminating') {
        throw forbidden(`${type.plural} "${meta.name}" is forbidden: unable to create new content in namespace ${meta.namespace} because it is being terminated`)
      }
    } else delete meta.namespace
    meta.uid = this.random.uuid()
    meta.creationTimestamp = this.clock.timestamp()
    delete meta.resourceVersion
    let out: KubeObject = { ...obj, apiVersion: apiVersionOf(type), kind: type.kind, metadata: meta }
    if (type.plural === 'nodes') out = this.admitNode(out, null, 'main')
    if (type.plural === 'pods') {
      out = {
        ...out,
        spec: { schedulerName: 'default-scheduler', ...out.spec, tolerations: withDefaultTolerations(out.spec?.tolerations ?? []) },
        status: pendingStatus(meta.creationTimestamp),
      }
    }
    if (type.plural === 'secrets') out = normaliseSecret(out)
    if (type.plural === 'namespaces') {
      out = { ...out, metadata: { ...out.metadata, labels: { ...out.metadata.labels, 'kubernetes.io/metadata.name': meta.name } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }
    }
    return out
  }

  /** Keeps what an update may not change, per resource and subresource. */
  admitUpdate(type: ResourceType, obj: KubeObject, old: KubeObject, subresource: 'main' | 'status'): KubeObject {
    if (type.plural === 'leases') checkLeaseTimes(obj)
    const meta = {
      ...obj.metadata,
      name: old.metadata.name,
      uid: old.metadata.uid,
      creationTimestamp: old.metadata.creationTimestamp,
      ...(old.metadata.namespace ? { namespace: old.metadata.namespace } : {}),
    }
    let out: KubeObject = { ...obj, apiVersion: apiVersionOf(type), kind: type.kind, metadata: meta }
    const hasStatus = type.subresources.some((s) => s.name === 'status')
    if (hasStatus && subresource === 'main') out.status = old.status
    if (subresource === 'status') out = { ...old, status: out.status, metadata: { ...old.metadata } }
    if (type.plural === 'nodes') out = this.admitNode(out, old, subresource)
    if (type.plural === 'secrets') out = normaliseSecret(out)
    if (type.plural === 'pods' && subresource === 'main') {
      out.spec = { ...old.spec, ...pickMutablePodSpec(out.spec) }
    }
    return out
  }

  private admitNode(node: KubeObject, old: KubeObject | null, _subresource: string): KubeObject {
    const taints = node.spec?.taints as Taint[] | undefined | null
    const causes: InvalidCause[] = []
    validateLabels(node.metadata.labels, causes)
    if (taints === null || (Array.isArray(taints) && taints.length === 0)) {
      const { taints: _drop, ...spec } = node.spec ?? {}
      return causes.length ? failInvalid(node, causes) : { ...node, spec }
    }
    if (taints === undefined) return causes.length ? failInvalid(node, causes) : node
    if (!Array.isArray(taints)) {
      causes.push({ reason: 'FieldValueInvalid', field: 'spec.taints', message: 'Invalid value: must be a list' })
      return failInvalid(node, causes)
    }
    const seen = new Set<string>()
    const oldTaints = old ? taintsOf(old) : []
    const now = this.clock.timestamp()
    const normalised = taints.map((taint, i) => {
      const field = `spec.taints[${i}]`
      if (!taint || typeof taint.key !== 'string' || taint.key === '') {
        causes.push({ reason: 'FieldValueRequired', field: `${field}.key`, message: 'Required value' })
        return taint
      }
      if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(taint.effect)) {
        causes.push({
          reason: 'FieldValueNotSupported',
          field: `${field}.effect`,
          message: `Unsupported value: "${taint.effect ?? ''}": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`,
        })
        return taint
      }
      const id = `${taint.key}:${taint.effect}`
      if (seen.has(id)) {
        causes.push({
          reason: 'FieldValueDuplicate',
          field,
          message: `Duplicate value: ${JSON.stringify({ key: taint.key, value: taint.value ?? '', effect: taint.effect })}: taints must be unique by key and effect pair`,
        })
      }
      seen.add(id)
      const clean: Taint = { key: taint.key, ...(taint.value ? { value: taint.value } : {}), effect: taint.effect }
      if (taint.effect === 'NoExecute') {
        // The API server stamps NoExecute taints; an unchanged taint keeps its original time.
        const before = oldTaints.find((t) => t.key === taint.key && t.effect === taint.effect && (t.value ?? '') === (taint.value ?? ''))
        clean.timeAdded = taint.timeAdded ?? before?.timeAdded ?? now
      }
      return clean
    })
    if (causes.length) return failInvalid(node, causes)
    return { ...node, spec: { ...node.spec, taints: normalised } }
  }

  // ---- eviction (the pods/eviction subresource) ----

  evict(namespace: string, name: string): void {
    const pod = this.pods.mustGet(namespace, name)
    const covering = this.pdbs.list(namespace).filter((pdb) => selectorMatches(pdb.spec?.selector, pod.metadata.labels))
    if (covering.length > 1) {
      throw new ApiError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.')
    }
    const pdb = covering[0]
    if (pdb && pod.status?.phase === 'Running') {
      const status = this.pdbStatus(pdb)
      if (status.disruptionsAllowed <= 0) {
        throw tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", {
          causes: [
            {
              reason: 'DisruptionBudget',
              message: `The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
            },
          ],
        })
      }
    }
    this.pods.delete(namespace, name)
  }

  // ---- controllers ----

  private onNode(e: StoreEvent): void {
    const name = e.object.metadata.name
    this.updateFacts(e)
    if (e.type === 'DELETED') {
      // Pod GC: pods bound to a node that no longer exists are deleted; so is its lease.
      for (const pod of this.pods.byIndex(name)) this.pods.delete(pod.metadata.namespace, pod.metadata.name)
      if (this.leases.get('kube-node-lease', name)) this.leases.delete('kube-node-lease', name)
      this.gpusUsed.delete(name)
      this.lifecycle.forget(name)
    } else {
      this.nodesToCheck.add(name)
      this.schedulerDirty = true
      this.capacityEpoch++
      if (e.type === 'ADDED' && !this.seeding) this.runDaemonSets(e.object)
      // A node created through the API has a kubelet too: remember it for restart-kubelet.
      if (!this.identities.has(name)) this.identities.set(name, identityOf(e.object))
    }
    this.settle()
  }

  private onPod(e: StoreEvent): void {
    const pod = e.object
    const key = keyOf(pod.metadata.namespace, pod.metadata.name)
    const before = e.previous
    if (before && holdsResources(before)) {
      this.addGpus(before.spec.nodeName, -podGpus(before))
      if (e.type === 'DELETED' || !holdsResources(pod)) this.capacityEpoch++
    }
    if (e.type !== 'DELETED' && holdsResources(pod)) this.addGpus(pod.spec.nodeName, podGpus(pod))
    if (e.type === 'DELETED' || pod.spec?.nodeName) {
      this.pending.delete(key)
      this.unschedulableAt.delete(key)
    }
    else {
      this.pending.set(key, pod)
      this.schedulerDirty = true
    }
    this.succeeded += (e.type !== 'DELETED' && isSucceeded(pod) ? 1 : 0) - (before && isSucceeded(before) ? 1 : 0)
    if (e.type === 'DELETED') {
      this.schedulerDirty = true
      if (!this.seeding && isResubmitted(pod) && !isSucceeded(pod)) this.podsToReplace.push(pod)
    } else {
      if (pod.spec?.nodeName) this.nodesToCheck.add(pod.spec.nodeName)
      this.completion.observe(pod)
    }
    this.pdbNamespaces.add(pod.metadata.namespace!)
    this.settle()
  }

  private addGpus(node: string, delta: number): void {
    if (!delta) return
    this.gpusUsed.set(node, (this.gpusUsed.get(node) ?? 0) + delta)
    const at = this.nodeFacts ? this.factsIndex.get(node) : undefined
    if (at !== undefined) this.noteRoom(this.nodeFacts![at]!)
  }

  private noteRoom(facts: NodeFacts): void {
    if (facts.capacity - (this.gpusUsed.get(facts.name) ?? 0) > 0) this.withRoom.add(facts.name)
    else this.withRoom.delete(facts.name)
  }

  /**
   * Runs one API request's handling. The controllers (taint manager, scheduler, workload and
   * PDB controllers) react to its writes once it has answered (see queueSettle): as a real API
   * server acknowledges a write before kube-controller-manager and the scheduler act on it.
   * Writes made outside a request (tests, the control routes) are acted on at once.
   */
  asApiRequest<T>(handle: () => T): T {
    return apiRequest.run(true, handle)
  }

  /** Runs the controllers until nothing is left to do. Re-entrant calls just queue work. */
  private settle(): void {
    if (this.settling || this.seeding) return
    if (apiRequest.getStore()) this.queueSettle()
    else this.runControllers(Infinity)
  }

  /**
   * The controllers' reaction to API writes runs after the answers, a few milliseconds at a time:
   * requests that arrive meanwhile are answered between slices, as a real API server answers
   * while kube-controller-manager works through an eviction storm in another process.
   */
  private queueSettle(): void {
    if (this.settleQueued) return
    this.settleQueued = true
    setImmediate(() =>
      apiRequest.exit(() => {
        this.settleQueued = false
        if (this.settling || this.seeding) return
        if (!this.runControllers(this.controllerSliceMs)) this.queueSettle()
      }),
    )
  }

  /** One controller step after another: true once nothing is left, false when `budgetMs` ran out first. */
  private runControllers(budgetMs: number): boolean {
    this.settling = true
    const until = performance.now() + budgetMs
    try {
      for (let first = true; ; first = false) {
        if (!first && performance.now() >= until) return false
        if (this.nodesToCheck.size) {
          const name = this.nodesToCheck.values().next().value!
          this.nodesToCheck.delete(name)
          this.runTaintManager(name)
        } else if (this.completion.hasWork()) {
          this.completion.step()
        } else if (this.podsToReplace.length) {
          this.replacePod(this.podsToReplace.shift()!)
        } else if (this.schedulerDirty) {
          this.schedulerDirty = false
          this.schedulePending()
        } else if (this.pdbNamespaces.size) {
          const namespaces = [...this.pdbNamespaces]
          this.pdbNamespaces.clear()
          for (const ns of namespaces) this.refreshPdbs(ns)
        } else return true
      }
    } finally {
      this.settling = false
    }
  }

  private runTaintManager(nodeName: string): void {
    const node = this.nodes.get(undefined, nodeName)
    if (!node) return
    const taints = taintsOf(node).filter((t) => t.effect === 'NoExecute')
    if (taints.length === 0) return
    const now = this.clock.nowMillis()
    const observedAt = (t: Taint) => (t.timeAdded ? Date.parse(t.timeAdded) : now)
    for (const pod of this.pods.byIndex(nodeName)) {
      const decision = evictionDecision(pod, taints, observedAt)
      if (decision.evict === 'never') continue
      if (decision.evict === 'now' || decision.at <= now) {
        this.pods.delete(pod.metadata.namespace, pod.metadata.name)
      } else {
        const timer = `${nodeName}@${decision.at}`
        if (this.taintTimers.has(timer)) continue
        this.taintTimers.add(timer)
        this.clock.at(decision.at, () => {
          this.taintTimers.delete(timer)
          this.nodesToCheck.add(nodeName)
          this.settle()
        })
      }
    }
  }

  /** The Run:ai workload controllers resubmit an evicted pod; a DaemonSet recreates its pod on the same node. */
  private replacePod(old: KubeObject): void {
    const owner = old.metadata.ownerReferences?.[0]
    if (this.namespaces.get(undefined, old.metadata.namespace!)?.status?.phase !== 'Active') return
    let nodeName: string | undefined
    if (owner?.kind === 'DaemonSet') {
      nodeName = old.spec?.nodeName
      if (!nodeName || !this.nodes.get(undefined, nodeName)) return
    }
    const base = old.metadata.generateName ?? `${old.metadata.name}-`
    const now = this.clock.timestamp()
    const { nodeName: _dropped, ...spec } = old.spec ?? {}
    const runSeconds = remainingRunSeconds(old, this.clock.nowMillis())
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: this.generatedName(this.pods, old.metadata.namespace, base),
        generateName: base,
        namespace: old.metadata.namespace,
        uid: this.random.uuid(),
        creationTimestamp: now,
        ...(old.metadata.labels ? { labels: old.metadata.labels } : {}),
        ...(runSeconds !== undefined ? { annotations: { [RUN_SECONDS_ANNOTATION]: runSeconds } } : {}),
        ...(old.metadata.ownerReferences ? { ownerReferences: old.metadata.ownerReferences } : {}),
      },
      spec: nodeName ? { ...spec, nodeName } : spec,
      status: pendingStatus(now),
    }
    const created = this.pods.create(pod)
    if (nodeName) this.bind(created, this.nodes.get(undefined, nodeName)!)
  }

  private updateFacts(e: StoreEvent): void {
    if (!this.nodeFacts) return
    if (e.type === 'MODIFIED') {
      const at = this.factsIndex.get(e.object.metadata.name)
      const next = factsOf(e.object)
      if (at !== undefined && next) {
        this.nodeFacts[at] = next
        this.noteRoom(next)
        return
      }
      if (at === undefined && !next) return
    }
    this.nodeFacts = null
  }

  private schedulableNodes(): NodeFacts[] {
    if (!this.nodeFacts) {
      this.nodeFacts = schedulableFacts(this.nodes.list())
      this.factsIndex.clear()
      this.withRoom.clear()
      this.nodeFacts.forEach((f, i) => {
        this.factsIndex.set(f.name, i)
        this.noteRoom(f)
      })
    }
    return this.nodeFacts
  }

  private schedulePending(): void {
    if (this.pending.size === 0) return
    const facts = this.schedulableNodes()
    const gpusUsed = (n: string) => this.gpusUsed.get(n) ?? 0
    // A pod that needs GPUs can only go where some are free: in a busy cluster that is a handful of
    // nodes, so pending GPU pods are matched against those rather than against every node. Taken
    // before the first GPU pod is placed (placing pods that need none changes no GPU count).
    let withFreeGpus: NodeFacts[] | null = null
    // Placement keys that found no node in this pass, with the reason: placing pods only uses up
    // room, so a later pod of the same key finds none either.
    const failed = new Map<string, string>()
    for (const key of [...this.pending.keys()]) {
      // Nothing has freed room since this pod last found no node: trying again would find none.
      if (this.unschedulableAt.get(key) === this.capacityEpoch) continue
      const pod = this.pending.get(key)
      if (!pod) continue
      const placement = this.placementKeyOf(pod)
      const known = failed.get(placement)
      let decision: ScheduleDecision
      if (known !== undefined) decision = { reason: known }
      else if (podGpus(pod) > 0) {
        withFreeGpus ??= [...this.withRoom]
          .map((n) => this.factsIndex.get(n)!)
          .sort((a, b) => a - b)
          .map((i) => facts[i]!)
        decision = scheduleDecision(pod, withFreeGpus, gpusUsed, this.nodes.size)
      } else decision = scheduleDecision(pod, facts, gpusUsed, this.nodes.size)
      if (decision.node) {
        this.bind(pod, decision.node)
      } else {
        failed.set(placement, decision.reason)
        this.unschedulableAt.set(key, this.capacityEpoch)
        const conditions = pod.status?.conditions as { type: string; message?: string }[] | undefined
        if (conditions?.find((c) => c.type === 'PodScheduled')?.message !== decision.reason) {
          this.pods.update({ ...pod, status: pendingStatus(this.clock.timestamp(), decision.reason) })
        }
      }
    }
  }

  /** A pod's placement key, kept per spec object (a pending pod's status changes, its spec does not). */
  private placementKeyOf(pod: KubeObject): string {
    const spec = pod.spec as object | undefined
    if (!spec) return placementKey(pod)
    let key = this.placementKeys.get(spec)
    if (key === undefined) this.placementKeys.set(spec, (key = placementKey(pod)))
    return key
  }

  private bind(pod: KubeObject, node: KubeObject): void {
    const hostIP = (node.status?.addresses as { type: string; address: string }[]).find((a) => a.type === 'InternalIP')!.address
    const bound = { ...pod, spec: { ...pod.spec, nodeName: node.metadata.name } }
    this.pods.update({ ...bound, status: runningStatus(bound, hostIP, this.nextPodIP(), this.clock.timestamp()) })
  }

  private runDaemonSets(node: KubeObject): void {
    for (const ds of this.daemonsets.list()) {
      const template = daemonPodTemplate({
        namespace: ds.metadata.namespace!,
        name: ds.metadata.name,
        uid: ds.metadata.uid!,
        image: ds.spec?.template?.spec?.containers?.[0]?.image ?? 'registry.k8s.io/pause:3.10',
      })
      const name = this.generatedName(this.pods, template.namespace, template.generateName)
      const created = this.pods.create(podObject(template, name, this.random.uuid(), this.clock.timestamp()))
      this.bind(created, node)
    }
  }

  pdbStatus(pdb: KubeObject): { expectedPods: number; currentHealthy: number; desiredHealthy: number; disruptionsAllowed: number } {
    const matching = this.pods
      .list(pdb.metadata.namespace)
      .filter((p) => selectorMatches(pdb.spec?.selector, p.metadata.labels) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    const expectedPods = matching.length
    const currentHealthy = matching.filter((p) => p.status?.phase === 'Running').length
    const resolve = (v: unknown, roundUp: boolean): number => {
      if (typeof v === 'string' && v.endsWith('%')) {
        const x = (Number(v.slice(0, -1)) / 100) * expectedPods
        return roundUp ? Math.ceil(x) : Math.floor(x)
      }
      return Number(v ?? 0)
    }
    const desiredHealthy =
      pdb.spec?.minAvailable !== undefined
        ? resolve(pdb.spec.minAvailable, true)
        : Math.max(0, expectedPods - resolve(pdb.spec?.maxUnavailable, true))
    return { expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy) }
  }

  private refreshPdbs(namespace: string): void {
    for (const pdb of this.pdbs.list(namespace)) {
      const s = this.pdbStatus(pdb)
      const status = {
        observedGeneration: 1,
        disruptionsAllowed: s.disruptionsAllowed,
        currentHealthy: s.currentHealthy,
        desiredHealthy: s.desiredHealthy,
        expectedPods: s.expectedPods,
        conditions: [
          {
            type: 'DisruptionAllowed',
            status: s.disruptionsAllowed > 0 ? 'True' : 'False',
            reason: s.disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods',
            message: '',
            observedGeneration: 1,
            lastTransitionTime: pdb.metadata.creationTimestamp,
          },
        ],
      }
      const current = pdb.status ?? {}
      if (
        current.disruptionsAllowed !== status.disruptionsAllowed ||
        current.currentHealthy !== status.currentHealthy ||
        current.desiredHealthy !== status.desiredHealthy ||
        current.expectedPods !== status.expectedPods
      ) {
        this.pdbs.update({ ...pdb, status })
      }
    }
  }

  /** The bootstrap signer: cluster-info carries a JWS signature per valid signing token. */
  private onSecret(e: StoreEvent): void {
    if (e.object.metadata.namespace !== 'kube-system' || e.object.type !== 'bootstrap.kubernetes.io/token') return
    this.signClusterInfo()
  }

  signClusterInfo(): void {
    const info = this.configmaps.get('kube-public', 'cluster-info')
    const current = (info?.data ?? {}) as Record<string, string>
    if (!info || !current.kubeconfig) return
    const kubeconfig = current.kubeconfig
    const data: Record<string, string> = { kubeconfig }
    for (const secret of this.secrets.list('kube-system')) {
      if (secret.type !== 'bootstrap.kubernetes.io/token') continue
      const d = decodeData(secret)
      if (d['usage-bootstrap-signing'] !== 'true' || !d['token-id'] || !d['token-secret']) continue
      if (d.expiration && !(Date.parse(d.expiration) > this.clock.nowMillis())) continue
      data[`jws-kubeconfig-${d['token-id']}`] = detachedJws(kubeconfig, d['token-id'], d['token-secret'])
    }
    if (JSON.stringify(data) !== JSON.stringify(current)) this.configmaps.update({ ...info, data })
  }

  /** kube-public/cluster-info, as kubeadm publishes it: the API server URL and CA, no credentials. */
  publishClusterInfo(server: string, caPem: string): void {
    const kubeconfig = [
      'apiVersion: v1',
      'clusters:',
      '- cluster:',
      `    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}`,
      `    server: ${server}`,
      '  name: ""',
      'contexts: null',
      'current-context: ""',
      'kind: Config',
      'preferences: {}',
      'users: null',
      '',
    ].join('\n')
    const existing = this.configmaps.get('kube-public', 'cluster-info')
    if (existing) this.configmaps.update({ ...existing, data: { ...(existing.data as Record<string, string>), kubeconfig } })
    else {
      this.configmaps.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cluster-info', namespace: 'kube-public', uid: this.random.uuid(), creationTimestamp: this.clock.timestamp() },
        data: { kubeconfig },
      })
    }
    this.signClusterInfo()
  }

  // ---- building the cluster ----

  private newIdentity(name: string, gpus: number): KubeletIdentity {
    const n = this.identities.size + 1000
    return {
      name,
      gpus,
      cpu: gpus ? 96 : 64,
      memoryGi: gpus ? 768 : 256,
      internalIP: `10.1.${Math.floor(n / 250)}.${(n % 250) + 2}`,
      machineID: this.random.hex(32),
      systemUUID: this.random.uuid(),
      bootID: this.random.uuid(),
    }
  }

  private registerNode(identity: KubeletIdentity, labels: Record<string, string>, created = this.clock.timestamp()): KubeObject {
    this.identities.set(identity.name, identity)
    this.lifecycle.forget(identity.name)
    const cidr = `10.244.${this.podCidrCounter++ % 256}.0/24`
    const node = nodeObject(identity, labels, created, cidr, this.clock.timestamp())
    node.metadata.uid = this.random.uuid()
    const stored = this.nodes.create(node)
    if (!this.leases.get('kube-node-lease', identity.name)) {
      // The kubelet's heartbeat lease; renewals are not simulated.
      this.leases.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name: identity.name,
          namespace: 'kube-node-lease',
          uid: this.random.uuid(),
          creationTimestamp: created,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: identity.name, uid: stored.metadata.uid! }],
        },
        spec: { holderIdentity: identity.name, leaseDurationSeconds: 40, renewTime: this.clock.now().toISOString().replace('Z', '000Z') },
      })
    }
    return stored
  }

  /** generateName: a random suffix, drawn again on the (rare) collision, as the API server retries. */
  private generatedName(store: ResourceStore, namespace: string | undefined, base: string): string {
    for (;;) {
      const name = `${base}${this.random.suffix()}`
      if (!store.get(store.type.namespaced ? namespace : undefined, name)) return name
    }
  }

  private nextPodIP(): string {
    const n = this.ipCounter++
    return `10.244.${Math.floor(n / 250) % 256}.${(n % 250) + 2}`
  }

  private seed(): void {
    this.seeding = true
    try {
      const seed = seedCluster(this.shape, this.random)
      const at = (ageSeconds: number) => this.clock.timestamp(-ageSeconds)
      for (const ns of seed.namespaces) {
        this.namespaces.create({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: ns.name,
            uid: this.random.uuid(),
            creationTimestamp: at(120 * 86400),
            labels: { 'kubernetes.io/metadata.name': ns.name, ...ns.labels },
          },
          spec: { finalizers: ['kubernetes'] },
          status: { phase: 'Active' },
        })
      }
      const nodesByName = new Map<string, KubeObject>()
      for (const n of seed.nodes) {
        const labels = { ...kubeletLabels(n.identity.name), [`${ROLE_PREFIX}${n.role}`]: '', ...(n.pool ? { [POOL_LABEL]: n.pool } : {}) }
        nodesByName.set(n.identity.name, this.registerNode(n.identity, labels, at(n.ageDays * 86400)))
      }
      for (const ds of seed.daemonSets) this.daemonsets.create(daemonSetObject(ds, seed.nodes.length, at(100 * 86400)))
      const training = this.shape.trainingSeconds
      for (const p of seed.pods) {
        const runSeconds = training !== undefined && p.template.kind === 'training' ? p.ageHours * 3600 + training : undefined
        this.createRunningPod(p.template, nodesByName.get(p.node)!, at(p.ageHours * 3600), runSeconds)
      }
      for (const pdb of seed.pdbs) {
        this.pdbs.create({
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: pdb.name, namespace: pdb.namespace, uid: this.random.uuid(), creationTimestamp: at(7 * 86400), generation: 1 },
          spec: {
            ...(pdb.minAvailable !== undefined ? { minAvailable: pdb.minAvailable } : {}),
            ...(pdb.maxUnavailable !== undefined ? { maxUnavailable: pdb.maxUnavailable } : {}),
            selector: { matchLabels: pdb.selector },
          },
        })
        this.pdbNamespaces.add(pdb.namespace)
      }
    } finally {
      this.seeding = false
    }
    this.settle()
  }

  private createRunningPod(template: PodTemplate, node: KubeObject, created: string, runSeconds?: number): void {
    const pod = podObject(template, this.generatedName(this.pods, template.namespace, template.generateName), this.random.uuid(), created)
    if (runSeconds !== undefined) pod.metadata.annotations = { [RUN_SECONDS_ANNOTATION]: String(runSeconds) }
    const hostIP = (node.status.addresses as { type: string; address: string }[])[0]!.address
    const bound = { ...pod, spec: { ...pod.spec, nodeName: node.metadata.name } }
    this.pods.create({ ...bound, status: runningStatus(bound, hostIP, this.nextPodIP(), created) })
  }
}

const storeKey = (type: { group: string; plural: string }): string => `${type.group}/${type.plural}`
const apiVersionOf = (type: ResourceType): string => (type.group ? `${type.group}/${type.version}` : type.version)

/**
 * A Lease's times are MicroTime: RFC 3339 with exactly six fractional digits. The real API server
 * refuses anything else while decoding the body (400), e.g. a JavaScript Date's three.
 */
function checkLeaseTimes(lease: KubeObject): void {
  for (const field of ['acquireTime', 'renewTime'] as const) {
    const value = (lease.spec as Record<string, unknown> | undefined)?.[field]
    if (value !== undefined && value !== null && (typeof value !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/.test(value))) {
      throw badRequest(`Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse MicroTime`)
    }
  }
}

/** The DefaultTolerationSeconds admission plugin: 300 s for not-ready/unreachable unless the pod says otherwise. */
function withDefaultTolerations(tolerations: Toleration[]): Toleration[] {
  const out = [...tolerations]
  for (const d of DEFAULT_TOLERATIONS) {
    const covered = tolerations.some((t) => (t.key === d.key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'))
    if (!covered) out.push(d)
  }
  return out
}

function identityOf(node: KubeObject): KubeletIdentity {
  const info = node.status?.nodeInfo ?? {}
  const address = (node.status?.addresses as { type: string; address: string }[] | undefined)?.find((a) => a.type === 'InternalIP')
  return {
    name: node.metadata.name,
    gpus: gpuCapacity(node),
    cpu: Number.parseInt(node.status?.capacity?.cpu ?? '8', 10) || 8,
    memoryGi: Math.round(Number.parseInt(node.status?.capacity?.memory ?? '0', 10) / 1024 / 1024) || 32,
    internalIP: address?.address ?? '10.2.0.2',
    machineID: info.machineID ?? '',
    systemUUID: info.systemUUID ?? '',
    bootID: info.bootID ?? '',
  }
}

const isSucceeded = (pod: KubeObject): boolean => pod.status?.phase === 'Succeeded'

function failInvalid(node: KubeObject, causes: InvalidCause[]): never {
  throw invalid({ group: '', kind: 'Node' }, node.metadata.name, causes)
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

function validateLabels(labels: Record<string, string> | undefined, causes: InvalidCause[]): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'metadata.labels',
        message: `Invalid value: "${String(value)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      })
    }
    if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key) || key.length > 316) {
      causes.push({ reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'` })
    }
  }
}

export function selectorMatches(selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false
  const terms = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`)
  for (const e of selector.matchExpressions ?? []) {
    const op = e.operator
    if (op === 'In' || op === 'NotIn') terms.push(`${e.key} ${op.toLowerCase()} (${(e.values ?? []).join(',')})`)
    else if (op === 'Exists') terms.push(e.key)
    else if (op === 'DoesNotExist') terms.push(`!${e.key}`)
  }
  return parseLabelSelector(terms.join(',')).matches(labels)
}

function decodeData(secret: KubeObject): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries((secret.data ?? {}) as Record<string, string>)) out[k] = Buffer.from(v, 'base64').toString('utf8')
  return out
}

/** Secrets store `data` base64-encoded; `stringData` is merged in on write, as the API server does. */
function normaliseSecret(secret: KubeObject): KubeObject {
  const { stringData, ...rest } = secret as KubeObject & { stringData?: Record<string, string> }
  const data: Record<string, string> = { ...((rest.data ?? {}) as Record<string, string>) }
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
      throw badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0 (key ${k})`)
    }
  }
  for (const [k, v] of Object.entries(stringData ?? {})) data[k] = Buffer.from(String(v)).toString('base64')
  return { ...rest, type: rest.type ?? 'Opaque', ...(Object.keys(data).length ? { data } : {}) }
}

function pickMutablePodSpec(spec: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of ['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds']) if (spec && k in spec) out[k] = spec[k]
  return out
}

function detachedJws(payload: string, keyId: string, secret: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: keyId })).toString('base64url')
  const body = Buffer.from(payload).toString('base64url')
  const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url')
  return `${header}..${signature}`
}

function daemonSetObject(ds: SeedDaemonSet, nodes: number, created: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: ds.name, namespace: ds.namespace, uid: ds.uid, creationTimestamp: created, generation: 1, labels: { app: ds.name } },
    spec: {
      selector: { matchLabels: { app: ds.name } },
      template: {
        metadata: { labels: { app: ds.name } },
        spec: { containers: [{ name: ds.name, image: ds.image }], tolerations: [{ operator: 'Exists' }], priorityClassName: 'system-node-critical' },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    },
    status: {
      currentNumberScheduled: nodes,
      desiredNumberScheduled: nodes,
      numberAvailable: nodes,
      numberMisscheduled: 0,
      numberReady: nodes,
      observedGeneration: 1,
      updatedNumberScheduled: nodes,
    },
  }
}
