// The informer-backed view of the cluster: nodes, pods (all namespaces) and policy/v1
// PDBs, kept as immutable domain objects that are replaced, never mutated, so a snapshot
// is a cheap array of shared references.
import type { KubeConfig, V1Node, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node'
import type { ClusterCache, Clock, NodeEvent, NodeEventType } from '../../app/ports.js'
import type { ClusterSnapshot, NodeState, PdbState, PodState } from '../../domain/cluster.js'
import { NodeplanError } from '../../domain/errors.js'
import { describeApiError, httpStatus, toAdapterError } from './api-error.js'
import { DEFAULT_BACKOFF } from './backoff.js'
import type { ClusterCacheOptions } from './cluster-cache-options.js'
import { KubernetesApi, nodePath } from './kubernetes-api.js'
import { toNodeState, toPdbState, toPodState } from './node-state.js'
import { Reflector } from './reflector.js'
import { isOlderVersion } from './resource-version.js'
import { systemClock } from '../../app/system-clock.js'

const NO_PODS: readonly PodState[] = Object.freeze([])

// One flat string: a template literal would be a tree of two pieces, kept for every pod in three maps.
const podKey = (p: { namespace: string; name: string }) => [p.namespace, p.name].join('/')

/** Node names per batched LIST in refresh(): keeps the selector well inside URL limits. */
const REFRESH_BATCH = 200
/** A label value (and so a hostname label selector value) has at most 63 characters. */
const MAX_LABEL_VALUE = 63

interface VersionedPod {
  pod: PodState
  rv: string
}

export class KubernetesClusterCache implements ClusterCache {
  private nodes = new Map<string, NodeState>()
  private pods = new Map<string, PodState>()
  /** resourceVersion per pod key (PodState does not carry it); orders refresh results against watch events. */
  private podVersions = new Map<string, string>()
  /** The pods of each node as one frozen list, replaced (never changed) when one of them changes: podsOn()'s answer. */
  private podsByNode = new Map<string, readonly PodState[]>()
  private pdbs = new Map<string, PdbState>()
  private memo: ClusterSnapshot | null = null
  private sortedNodes: readonly NodeState[] | null = null
  private readonly listeners = new Set<(event: NodeEvent) => void>()
  private readonly reflectors: { run(): void; stop(): Promise<void>; hasSynced(): boolean; whenSynced(): Promise<void> }[]
  private readonly clock: Clock
  private readonly o: Required<Omit<ClusterCacheOptions, 'clock' | 'log' | 'requestTimeoutMs'>> & Pick<ClusterCacheOptions, 'log'>
  private readonly api: KubernetesApi

  /** Give it a KubeConfig, or a KubernetesApi to share its transport and request counts with a node writer. */
  constructor(source: KubeConfig | KubernetesApi, opts: ClusterCacheOptions = {}) {
    this.api = source instanceof KubernetesApi ? source : new KubernetesApi(source, { timeoutMs: opts.requestTimeoutMs })
    const api = this.api
    this.clock = opts.clock ?? systemClock
    this.o = {
      random: opts.random ?? Math.random,
      backoff: opts.backoff ?? DEFAULT_BACKOFF,
      pageSize: opts.pageSize ?? 500,
      watchTimeoutSeconds: opts.watchTimeoutSeconds ?? 300,
      startTimeoutMs: opts.startTimeoutMs ?? 30_000,
      pingTimeoutMs: opts.pingTimeoutMs ?? 2_000,
      refreshConcurrency: opts.refreshConcurrency ?? 16,
      log: opts.log,
    }
    const common = {
      api,
      clock: this.clock,
      backoff: this.o.backoff,
      random: this.o.random,
      pageSize: this.o.pageSize,
      watchTimeoutSeconds: this.o.watchTimeoutSeconds,
    }
    const warn = (resource: string) => (err: unknown, phase: 'list' | 'watch') =>
      this.o.log?.warn(`kubernetes ${phase} of ${resource} failed; retrying`, { resource, phase, error: describeApiError(err) })
    this.reflectors = [
      new Reflector<V1Node, NodeState>({
        ...common,
        resource: 'nodes',
        path: '/api/v1/nodes',
        map: (obj) => Object.freeze(toNodeState(obj)),
        handlers: { replace: (items) => this.replaceNodes(items), event: (type, node) => this.nodeEvent(type, node) },
        onError: warn('nodes'),
      }),
      new Reflector<V1Pod, VersionedPod>({
        ...common,
        resource: 'pods',
        path: '/api/v1/pods',
        map: (obj) => ({ pod: Object.freeze(toPodState(obj)), rv: obj.metadata?.resourceVersion ?? '' }),
        handlers: {
          replace: (items) => this.replacePods(items),
          event: (_type, { pod, rv }) => this.upsertPod(pod, rv),
          // A drain deletes thousands of pods: their last state is not worth converting.
          deleted: (obj) => this.removePod(podKey({ namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' })),
        },
        onError: warn('pods'),
      }),
      new Reflector<V1PodDisruptionBudget, PdbState>({
        ...common,
        resource: 'poddisruptionbudgets',
        path: '/apis/policy/v1/poddisruptionbudgets',
        optional: true,
        map: (obj) => Object.freeze(toPdbState(obj)),
        handlers: { replace: (items) => this.replacePdbs(items), event: (type, pdb) => this.pdbEvent(type, pdb) },
        onError: warn('poddisruptionbudgets'),
      }),
    ]
  }

  /**
   * Starts the informers and waits for their first lists. If they have not arrived within
   * startTimeoutMs it throws KUBERNETES_UNAVAILABLE; the informers keep retrying until stop().
   */
  async start(): Promise<void> {
    for (const r of this.reflectors) r.run()
    const all = Promise.all(this.reflectors.map((r) => r.whenSynced())).then(() => 'synced' as const)
    // A wall-clock bound on I/O, not a retry pause: a real timer, whatever clock drives the backoff.
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.o.startTimeoutMs)))
    const outcome = await Promise.race([all, timeout])
    clearTimeout(timer)
    if (outcome === 'timeout') {
      throw new NodeplanError('KUBERNETES_UNAVAILABLE', `no list of nodes, pods and PDBs from the Kubernetes API server within ${this.o.startTimeoutMs} ms; still retrying`)
    }
  }

  /** Resolves once the first list of every resource has arrived (start() gives up waiting earlier). */
  async whenSynced(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.whenSynced()))
  }

  async stop(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.stop()))
    this.api.close()
  }

  synced(): boolean {
    return this.reflectors.every((r) => r.hasSynced())
  }

  snapshot(): ClusterSnapshot {
    if (!this.memo) {
      this.memo = {
        nodes: this.nodeList(),
        pods: [...this.pods.values()],
        pdbs: [...this.pdbs.values()],
      }
    }
    return this.memo
  }

  nodeList(): readonly NodeState[] {
    this.sortedNodes ??= Object.freeze([...this.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
    return this.sortedNodes
  }

  node(name: string): NodeState | undefined {
    return this.nodes.get(name)
  }

  podsOn(node: string): readonly PodState[] {
    return this.podsByNode.get(node) ?? NO_PODS
  }

  onNodeEvent(listener: (event: NodeEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Re-reads nodes from the API server. With `pods: false` (what planning and apply need: taints,
   * labels, existence) the nodes come in batches of one LIST each, selected by their
   * kubernetes.io/hostname label, so a 100-node plan costs one request; a node the batch does not
   * return (deleted, or a hostname label that differs from its name) is read on its own.
   * With pods (the default) each node costs a GET plus a LIST of its pods.
   */
  async refresh(nodes: string[], options: { pods?: boolean } = {}): Promise<void> {
    const names = [...new Set(nodes)]
    const pods = options.pods ?? true
    const single = pods ? names : await this.refreshNodeBatches(names)
    const queue = [...single]
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) await this.refreshNode(name, pods)
    }
    await Promise.all(Array.from({ length: Math.min(this.o.refreshConcurrency, queue.length) }, worker))
  }

  /** Batched LISTs of nodes by hostname label; returns the names still to read one by one. */
  private async refreshNodeBatches(names: string[]): Promise<string[]> {
    const selectable = names.filter((n) => n.length <= MAX_LABEL_VALUE)
    const left = new Set(names)
    for (let i = 0; i < selectable.length; i += REFRESH_BATCH) {
      const batch = selectable.slice(i, i + REFRESH_BATCH)
      const list = await this.api
        .getJson<{ items?: V1Node[] }>('/api/v1/nodes', { labelSelector: `kubernetes.io/hostname in (${batch.join(',')})` })
        .catch((err: unknown) => {
          throw toAdapterError(err, `refresh ${batch.length} nodes`)
        })
      const wanted = new Set(batch)
      for (const raw of list.items ?? []) {
        const state = toNodeState(raw)
        if (!wanted.has(state.name)) continue
        this.upsertNode(state)
        left.delete(state.name)
      }
    }
    return [...left]
  }

  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new NodeplanError('KUBERNETES_UNAVAILABLE', `Kubernetes API server did not answer GET /version within ${this.o.pingTimeoutMs} ms`)),
        this.o.pingTimeoutMs,
      )
    })
    try {
      await Promise.race([this.api.getJson('/version'), timeout])
    } catch (err) {
      if (err instanceof NodeplanError) throw err
      throw new NodeplanError('KUBERNETES_UNAVAILABLE', `Kubernetes API server not reachable: ${describeApiError(err)}`)
    } finally {
      clearTimeout(timer)
    }
  }

  /** Requests sent so far, by verb and status. */
  requestCounts() {
    return this.api.counter.rows()
  }

  private async refreshNode(name: string, withPods: boolean): Promise<void> {
    const [node, pods] = await Promise.all([
      this.api.getJson<V1Node>(nodePath(name)).catch((err: unknown) => {
        if (httpStatus(err) === 404) return null
        throw toAdapterError(err, `refresh node ${name}`)
      }),
      withPods
        ? this.api
            .getJson<{ items?: V1Pod[]; metadata?: { resourceVersion?: string } }>('/api/v1/pods', { fieldSelector: `spec.nodeName=${name}` })
            .catch((err: unknown) => {
              throw toAdapterError(err, `refresh pods on node ${name}`)
            })
        : null,
    ])
    if (node) this.upsertNode(toNodeState(node))
    else this.removeNode(name)
    if (!pods) return
    const listRv = pods.metadata?.resourceVersion ?? ''
    const seen = new Set<string>()
    for (const raw of pods.items ?? []) {
      const pod = toPodState(raw)
      seen.add(podKey(pod))
      this.upsertPod(pod, raw.metadata?.resourceVersion ?? '')
    }
    // Gone from the node as of the list, unless the watch already showed a newer version.
    for (const key of this.podsOn(name).map(podKey)) {
      if (!seen.has(key) && !isOlderVersion(listRv, this.podVersions.get(key) ?? '')) this.removePod(key)
    }
  }

  // ---- nodes

  private replaceNodes(items: NodeState[]): void {
    const next = new Map<string, NodeState>()
    for (const state of items) next.set(state.name, state)
    const prev = this.nodes
    this.nodes = next
    this.memo = this.sortedNodes = null
    for (const [name, node] of next) {
      const before = prev.get(name)
      if (!before) this.emit('ADDED', node, null)
      else if (before.resourceVersion !== node.resourceVersion) this.emit('MODIFIED', node, before)
    }
    for (const [name, before] of prev) if (!next.has(name)) this.emit('DELETED', before, before)
  }

  private nodeEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', state: NodeState): void {
    if (type === 'DELETED') {
      const before = this.nodes.get(state.name)
      if (before && before.uid === state.uid) this.removeNode(state.name, state)
      return
    }
    this.upsertNode(state)
  }

  private upsertNode(state: NodeState): void {
    const before = this.nodes.get(state.name)
    if (before && (before.resourceVersion === state.resourceVersion || isOlderVersion(state.resourceVersion, before.resourceVersion))) return
    Object.freeze(state)
    this.nodes.set(state.name, state)
    this.memo = this.sortedNodes = null
    this.emit(before ? 'MODIFIED' : 'ADDED', state, before ?? null)
  }

  private removeNode(name: string, last?: NodeState): void {
    const before = this.nodes.get(name)
    if (!before) return
    this.nodes.delete(name)
    this.memo = this.sortedNodes = null
    this.emit('DELETED', last ?? before, before)
  }

  private emit(type: NodeEventType, node: NodeState, previous: NodeState | null): void {
    for (const listener of this.listeners) {
      try {
        listener({ type, node, previous })
      } catch (err) {
        this.o.log?.warn('node event listener failed', { node: node.name, error: String(err) })
      }
    }
  }

  // ---- pods

  private replacePods(items: VersionedPod[]): void {
    this.pods = new Map()
    this.podVersions = new Map()
    const byNode = new Map<string, PodState[]>()
    for (const { pod, rv } of items) {
      const key = podKey(pod)
      Object.freeze(pod)
      const before = this.pods.get(key)
      this.pods.set(key, pod)
      this.podVersions.set(key, rv)
      if (before?.nodeName) {
        const list = byNode.get(before.nodeName)!
        list.splice(list.indexOf(before), 1)
      }
      if (!pod.nodeName) continue
      const list = byNode.get(pod.nodeName)
      if (list) list.push(pod)
      else byNode.set(pod.nodeName, [pod])
    }
    this.podsByNode = new Map()
    for (const [node, list] of byNode) if (list.length > 0) this.podsByNode.set(node, Object.freeze(list))
    this.memo = null
  }

  private upsertPod(pod: PodState, rv: string): void {
    const key = podKey(pod)
    if (isOlderVersion(rv, this.podVersions.get(key) ?? '')) return
    this.setPod(key, pod, rv)
    this.memo = null
  }

  private setPod(key: string, pod: PodState, rv: string): void {
    const before = this.pods.get(key)
    if (before?.nodeName && before.nodeName !== pod.nodeName) this.unindex(before.nodeName, before)
    Object.freeze(pod)
    this.pods.set(key, pod)
    this.podVersions.set(key, rv)
    if (!pod.nodeName) return
    const list = this.podsOn(pod.nodeName)
    const at = before ? list.indexOf(before) : -1
    this.podsByNode.set(pod.nodeName, Object.freeze(at < 0 ? [...list, pod] : list.with(at, pod)))
  }

  private removePod(key: string): void {
    const before = this.pods.get(key)
    if (!before) return
    this.pods.delete(key)
    this.podVersions.delete(key)
    if (before.nodeName) this.unindex(before.nodeName, before)
    this.memo = null
  }

  private unindex(node: string, pod: PodState): void {
    const rest = this.podsOn(node).filter((p) => p !== pod)
    if (rest.length > 0) this.podsByNode.set(node, Object.freeze(rest))
    else this.podsByNode.delete(node)
  }

  // ---- PDBs

  private replacePdbs(items: PdbState[]): void {
    this.pdbs = new Map(items.map((pdb) => [podKey(pdb), pdb] as const))
    this.memo = null
  }

  private pdbEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', pdb: PdbState): void {
    if (type === 'DELETED') this.pdbs.delete(podKey(pdb))
    else this.pdbs.set(podKey(pdb), pdb)
    this.memo = null
  }
}
