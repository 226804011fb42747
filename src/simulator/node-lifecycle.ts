// What happens to machines, as the kubelet and the node lifecycle controller show it: a kubelet
// that stops posting status (and comes back), a reboot (down, then a new boot ID, NotReady while
// the runtime starts, then Ready), and the node-pool label an operator moves a machine between.
import type { SimClock } from './clock.js'
import { GPU_RESOURCE, isReady, readyConditions, startingConditions, unknownConditions, type KubeletIdentity } from './node-object.js'
import type { Random } from './random.js'
import { taintsOf, type Taint } from './scheduling.js'
import { POOL_LABEL } from './seed.js'
import { ApiError, badRequest } from './status.js'
import type { KubeObject, ResourceStore } from './store.js'

export interface RebootOptions {
  /** Seconds the machine is down: no status, Ready Unknown, the unreachable taints. Default 60. */
  downSeconds?: number
  /** Seconds the new boot's kubelet reports Ready False (the not-ready taints) before Ready. Default 10. */
  notReadySeconds?: number
  /** GPUs that do not come back (unhealthy after the maintenance): allocatable is that many short of capacity. Default 0. */
  lostGpus?: number
}

export interface RebootResult {
  node: string
  previousBootID: string
  /** When the new boot's kubelet posts status (with a new bootID), NotReady at first. */
  backAt: string
  /** When the node is Ready again. */
  readyAt: string
}

type Condition = { type: string; status: string; lastTransitionTime?: string; lastHeartbeatTime?: string }

const UNREACHABLE = 'node.kubernetes.io/unreachable'
const NOT_READY = 'node.kubernetes.io/not-ready'
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

export class NodeLifecycle {
  private readonly failed = new Set<string>()
  /** Nodes rebooting, with the reboot under way (its timers act only while it is the current one). */
  private readonly rebooting = new Map<string, RebootResult>()

  constructor(
    private readonly nodes: ResourceStore,
    private readonly clock: SimClock,
    private readonly random: Random,
    private readonly identities: Map<string, KubeletIdentity>,
  ) {}

  isFailed(name: string): boolean {
    return this.failed.has(name)
  }

  rebootOf(name: string): RebootResult | null {
    return this.rebooting.get(name) ?? null
  }

  /** The node registered anew or went away: whatever happened to the old one is over. */
  forget(name: string): void {
    this.failed.delete(name)
    this.rebooting.delete(name)
  }

  /** The kubelet stops posting status: Ready goes Unknown and the unreachable taints follow. */
  fail(name: string): void {
    const node = this.nodes.mustGet(undefined, name)
    if (this.failed.has(name)) return // already down: the outage keeps its start time
    this.failed.add(name)
    this.markUnreachable(node)
  }

  /** The kubelet posts status again: Ready, and the node controller lifts the unreachable taints. */
  recover(name: string): void {
    const node = this.nodes.mustGet(undefined, name)
    const taints = withoutNodeTaints(taintsOf(node))
    if (!this.failed.has(name) && isReady(node) && taints.length === taintsOf(node).length) return // nothing to recover from
    this.failed.delete(name)
    this.post(node, taints, readyConditions(this.clock.timestamp()))
  }

  /**
   * Reboots the machine: at once Ready Unknown with the unreachable taints (the node lifecycle
   * controller's view of a silent kubelet); after `downSeconds` the new boot's kubelet posts a new
   * bootID with Ready False (the not-ready taints replace the unreachable ones) and no GPUs
   * allocatable yet; after `notReadySeconds` more, Ready, no taints of its own, and its GPUs
   * allocatable again less `lostGpus`. The node's other taints stay.
   */
  reboot(name: string, options: RebootOptions = {}): RebootResult {
    const downSeconds = seconds(options.downSeconds, 60, 'downSeconds')
    const notReadySeconds = seconds(options.notReadySeconds, 10, 'notReadySeconds')
    const lostGpus = options.lostGpus ?? 0
    if (!Number.isInteger(lostGpus) || lostGpus < 0) throw badRequest(`lostGpus must be a whole number >= 0, got ${JSON.stringify(options.lostGpus)}`)
    const node = this.nodes.mustGet(undefined, name)
    const current = this.rebooting.get(name)
    if (current) throw new ApiError(409, 'Conflict', `node "${name}" is already rebooting (Ready again at ${current.readyAt})`)
    const now = this.clock.nowMillis()
    const reboot: RebootResult = {
      node: name,
      previousBootID: String(node.status?.nodeInfo?.bootID ?? ''),
      backAt: this.clock.timestamp(downSeconds),
      readyAt: this.clock.timestamp(downSeconds + notReadySeconds),
    }
    this.rebooting.set(name, reboot)
    this.markUnreachable(node)
    this.clock.at(now + downSeconds * 1000, () => {
      if (this.rebooting.get(name) !== reboot) return
      this.kubeletStarts(name)
      this.clock.at(now + (downSeconds + notReadySeconds) * 1000, () => {
        if (this.rebooting.get(name) !== reboot) return
        this.rebooting.delete(name)
        const node = this.nodes.get(undefined, name)
        if (node) this.post(withGpus(node, gpuCount(node) - lostGpus), withoutNodeTaints(taintsOf(node)), readyConditions(this.clock.timestamp()))
      })
    })
    return { ...reboot }
  }

  /** Puts the node in a node pool (its `run.ai/node-pool` label), or in none with `null`. */
  setPool(name: string, pool: string | null): void {
    if (pool !== null && (typeof pool !== 'string' || pool === '' || pool.length > 63 || !LABEL_VALUE.test(pool))) {
      throw badRequest(`pool must be a label value (letters, digits, '-', '_', '.'; at most 63 characters) or null, got ${JSON.stringify(pool)}`)
    }
    const node = this.nodes.mustGet(undefined, name)
    const labels = { ...node.metadata.labels }
    if ((labels[POOL_LABEL] ?? null) === pool) return
    if (pool === null) delete labels[POOL_LABEL]
    else labels[POOL_LABEL] = pool
    this.nodes.update({ ...node, metadata: { ...node.metadata, labels } })
  }

  private markUnreachable(node: KubeObject): void {
    const now = this.clock.timestamp()
    const taints = withoutNodeTaints(taintsOf(node))
    taints.push({ key: UNREACHABLE, effect: 'NoSchedule', timeAdded: now }, { key: UNREACHABLE, effect: 'NoExecute', timeAdded: now })
    this.nodes.update({ ...node, spec: { ...node.spec, taints }, status: { ...node.status, conditions: unknownConditions(node.status.conditions, now) } })
  }

  /** The new boot's first status: a new bootID, Ready False, the not-ready taints. */
  private kubeletStarts(name: string): void {
    const node = this.nodes.get(undefined, name)
    if (!node) return
    this.failed.delete(name)
    const bootID = this.random.uuid()
    const identity = this.identities.get(name)
    if (identity) this.identities.set(name, { ...identity, bootID })
    const now = this.clock.timestamp()
    const taints = withoutNodeTaints(taintsOf(node))
    taints.push({ key: NOT_READY, effect: 'NoSchedule', timeAdded: now }, { key: NOT_READY, effect: 'NoExecute', timeAdded: now })
    // The device plugin has not registered yet: no GPUs allocatable until Ready.
    const booted = withGpus({ ...node, status: { ...node.status, nodeInfo: { ...node.status.nodeInfo, bootID } } }, 0)
    this.post(booted, taints, startingConditions(now))
  }

  /** Writes status as the kubelet posts it: a condition whose status did not change keeps its lastTransitionTime. */
  private post(node: KubeObject, taints: Taint[], conditions: object[]): void {
    const previous = (node.status?.conditions ?? []) as Condition[]
    const merged = (conditions as Condition[]).map((c) => {
      const before = previous.find((p) => p.type === c.type)
      return before && before.status === c.status ? { ...c, lastTransitionTime: before.lastTransitionTime } : c
    })
    const spec = { ...node.spec, taints }
    if (taints.length === 0) delete spec.taints
    this.nodes.update({ ...node, spec, status: { ...node.status, conditions: merged } })
  }
}

const gpuCount = (node: KubeObject): number => Number(node.status?.capacity?.[GPU_RESOURCE] ?? 0)

/** The node with `gpus` allocatable (capacity keeps every device, healthy or not); unchanged without GPUs. */
function withGpus(node: KubeObject, gpus: number): KubeObject {
  if (!gpuCount(node)) return node
  return { ...node, status: { ...node.status, allocatable: { ...node.status.allocatable, [GPU_RESOURCE]: String(Math.max(0, gpus)) } } }
}

const withoutNodeTaints = (taints: Taint[]): Taint[] => taints.filter((t) => t.key !== UNREACHABLE && t.key !== NOT_READY)

function seconds(value: unknown, fallback: number, name: string): number {
  if (value === undefined || value === null) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw badRequest(`${name} must be a number of seconds >= 0, got ${JSON.stringify(value)}`)
  return value
}
