// Planning a rollout: which nodes, how many at once, in which order, in which waves, and the
// capacity guard's figures for each wave. Pure: the caller reads the cluster and stores the result.
import { DRAIN_TAINT, type ClusterSnapshot, type NodeState, type PodState } from './cluster.js'
import { NodeplanError } from './errors.js'
import { checkWindow } from './maintenance-window.js'
import { findTaint, taintChange } from './change.js'
import { completeDraft, indexNodes } from './plan-draft.js'
import type { RolloutDraft, RolloutNode, RolloutRequest, RolloutSettings, RolloutWave, WaveGuard, PoolFloor, NodeLabel } from './rollout.js'
import { NODE_ROLES, ROLE_LABEL, type NodeRole } from './roles.js'
import { isDrained, isServingSystemNode } from './system-nodes.js'
import { checkReason } from './validation.js'
import { classifyWorkloads } from './workloads.js'

export const DEFAULT_POOL_LABEL = 'run.ai/node-pool'
const MAX_DRAIN_TIMEOUT_SECONDS = 7 * 24 * 3600

/** The chosen nodes: named ∪ of a role ∪ carrying every given label; each once, in name order. */
export function chooseNodes(snapshot: Pick<ClusterSnapshot, 'nodes'>, request: Pick<RolloutRequest, 'nodes' | 'roles' | 'labels'>): NodeState[] {
  const byName = new Map(snapshot.nodes.map((n) => [n.name, n]))
  const chosen = new Map<string, NodeState>()
  const unknown = (request.nodes ?? []).filter((name) => !byName.has(name))
  if (unknown.length > 0) {
    throw new NodeplanError('BAD_USER_INPUT', `nodes: no node named ${unknown.map((n) => `"${n}"`).join(', ')} in the cluster`, { field: 'nodes', nodes: unknown })
  }
  for (const name of request.nodes ?? []) chosen.set(name, byName.get(name)!)
  const roles = new Set<NodeRole>(request.roles ?? [])
  for (const role of roles) if (!NODE_ROLES.includes(role)) throw new NodeplanError('BAD_USER_INPUT', `roles: unknown role "${role}"`, { field: 'roles' })
  const labels = request.labels ?? []
  for (const node of snapshot.nodes) {
    if ([...roles].some((role) => ROLE_LABEL[role] in node.labels)) chosen.set(node.name, node)
    if (labels.length > 0 && labels.every((l) => carries(node, l))) chosen.set(node.name, node)
  }
  if (chosen.size === 0) {
    throw new NodeplanError('BAD_USER_INPUT', 'nodes, roles, labels: no node chosen: name nodes, roles or labels that match at least one node', { field: 'nodes' })
  }
  return [...chosen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

const carries = (node: NodeState, label: NodeLabel): boolean =>
  label.key in node.labels && (label.value == null || node.labels[label.key] === label.value)

/** "4" or "10%" of `chosen`, rounded down, at least 1. */
export function parseMaxUnavailable(text: string, chosen: number): number {
  const m = /^\s*(\d{1,6})(%?)\s*$/.exec(text)
  const bad = () => new NodeplanError('BAD_USER_INPUT', `maxUnavailable: "${text}" is neither a count ("4") nor a percentage ("10%") of at least 1`, { field: 'maxUnavailable' })
  if (!m) throw bad()
  const n = Number(m[1])
  if (m[2] === '%') {
    if (n < 1 || n > 100) throw bad()
    return Math.max(1, Math.floor((chosen * n) / 100))
  }
  if (n < 1) throw bad()
  return n
}

export function resolveSettings(request: RolloutRequest, chosen: number): RolloutSettings {
  const maxUnavailableInput = request.maxUnavailable ?? '1'
  const minGpusInService = request.minGpusInService ?? 0
  if (!Number.isInteger(minGpusInService) || minGpusInService < 0) {
    throw new NodeplanError('BAD_USER_INPUT', `minGpusInService must be a whole number of at least 0, got ${minGpusInService}`, { field: 'minGpusInService' })
  }
  const drainTimeoutSeconds = request.drainTimeoutSeconds ?? 3600
  if (!Number.isInteger(drainTimeoutSeconds) || drainTimeoutSeconds < 0 || drainTimeoutSeconds > MAX_DRAIN_TIMEOUT_SECONDS) {
    throw new NodeplanError('BAD_USER_INPUT', `drainTimeoutSeconds must be a whole number from 0 to ${MAX_DRAIN_TIMEOUT_SECONDS}, got ${drainTimeoutSeconds}`, { field: 'drainTimeoutSeconds' })
  }
  const poolFloors: PoolFloor[] = request.poolFloors ?? []
  for (const floor of poolFloors) {
    if (!floor.pool || !Number.isInteger(floor.minGpusInService) || floor.minGpusInService < 0) {
      throw new NodeplanError('BAD_USER_INPUT', `poolFloors: each floor names a pool and a whole number of GPUs of at least 0 (got pool "${floor.pool}", ${floor.minGpusInService})`, { field: 'poolFloors' })
    }
  }
  if (request.window) checkWindow(request.window)
  const poolLabel = request.poolLabel ?? DEFAULT_POOL_LABEL
  if (!poolLabel) throw new NodeplanError('BAD_USER_INPUT', 'poolLabel must not be empty', { field: 'poolLabel' })
  return {
    drainMode: request.drainMode ?? 'IMMEDIATE',
    drainTimeoutSeconds,
    maxUnavailableInput,
    maxUnavailable: parseMaxUnavailable(maxUnavailableInput, chosen),
    minGpusInService,
    poolLabel,
    poolFloors,
    completeOnReboot: request.completeOnReboot ?? true,
    notBefore: request.notBefore ?? null,
    window: request.window ?? null,
    order: request.order ?? null,
  }
}

/** What draining a node costs: interactive workloads killed, GPUs in use. */
export interface NodeHarm {
  interactive: number
  gpusInUse: number
}

export function harmOf(pods: readonly PodState[]): NodeHarm {
  let gpusInUse = 0
  for (const pod of pods) if (pod.phase !== 'Succeeded' && pod.phase !== 'Failed') gpusInUse += pod.gpus
  const interactive = classifyWorkloads(pods, DRAIN_TAINT).filter((w) => w.relocation === 'MANUAL').length
  return { interactive, gpusInUse }
}

/** Least harm first (fewest interactive workloads killed, then fewest GPUs in use, then name), or the operator's order. */
export function orderNodes(nodes: readonly NodeState[], harm: ReadonlyMap<string, NodeHarm>, order: string[] | null): NodeState[] {
  if (order) {
    const chosen = new Set(nodes.map((n) => n.name))
    const outside = order.filter((name) => !chosen.has(name))
    if (outside.length > 0) throw new NodeplanError('BAD_USER_INPUT', `order: ${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not among the chosen nodes`, { field: 'order' })
    const rank = new Map(order.map((name, i) => [name, i]))
    // Nodes the order leaves out follow, least harm first.
    return [...nodes].sort((a, b) => (rank.get(a.name) ?? Infinity) - (rank.get(b.name) ?? Infinity) || byHarm(a, b, harm))
  }
  return [...nodes].sort((a, b) => byHarm(a, b, harm))
}

function byHarm(a: NodeState, b: NodeState, harm: ReadonlyMap<string, NodeHarm>): number {
  const ha = harm.get(a.name) ?? { interactive: 0, gpusInUse: 0 }
  const hb = harm.get(b.name) ?? { interactive: 0, gpusInUse: 0 }
  return ha.interactive - hb.interactive || ha.gpusInUse - hb.gpusInUse || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

/** Whether a node serves GPUs now: Ready and not drained. */
const inService = (node: NodeState): boolean => node.ready && !isDrained(node)

/** What serves before anything is taken out: the guard's figures are this less a wave's nodes. */
export interface GuardBase {
  gpusInService: number
  pools: Map<string, number>
  readySystemNodes: number
}

export function guardBase(nodes: Iterable<NodeState>, settings: Pick<RolloutSettings, 'poolLabel' | 'poolFloors'>): GuardBase {
  const base: GuardBase = { gpusInService: 0, pools: new Map(settings.poolFloors.map((f) => [f.pool, 0])), readySystemNodes: 0 }
  for (const node of nodes) {
    if (inService(node)) {
      base.gpusInService += node.gpus
      const pool = node.labels[settings.poolLabel]
      if (pool !== undefined) base.pools.set(pool, (base.pools.get(pool) ?? 0) + node.gpus)
    }
    if (isServingSystemNode(node)) base.readySystemNodes++
  }
  return base
}

/**
 * The guard's figures with `out` taken out of service, on the cluster as `nodes` shows it.
 * `othersOut`: chosen nodes already out of service that are not in `out`.
 */
export function guardFigures(nodes: Iterable<NodeState>, out: ReadonlySet<string>, othersOut: number, settings: RolloutSettings): WaveGuard {
  const all = [...nodes]
  return guardWith(guardBase(all, settings), all.filter((n) => out.has(n.name)), othersOut, settings)
}

/** The guard's figures from `base` with the nodes `out` taken out of service. */
export function guardWith(base: GuardBase, out: readonly NodeState[], othersOut: number, settings: RolloutSettings): WaveGuard {
  let gpusInService = base.gpusInService
  let readySystemNodes = base.readySystemNodes
  const pools = new Map(base.pools)
  for (const node of out) {
    if (inService(node)) {
      gpusInService -= node.gpus
      const pool = node.labels[settings.poolLabel]
      if (pool !== undefined) pools.set(pool, pools.get(pool)! - node.gpus)
    }
    if (isServingSystemNode(node)) readySystemNodes--
  }
  const floors = new Map(settings.poolFloors.map((f) => [f.pool, f.minGpusInService]))
  const poolGuards = [...pools].map(([pool, gpus]) => ({ pool, gpusInService: gpus, minGpusInService: floors.get(pool) ?? null })).sort((a, b) => (a.pool < b.pool ? -1 : 1))
  const nodesOut = out.length + othersOut
  let reason: string | null = null
  if (nodesOut > settings.maxUnavailable) reason = `maxUnavailable: ${nodesOut} nodes would be out of service, at most ${settings.maxUnavailable} may be`
  else if (gpusInService < settings.minGpusInService) reason = `minGpusInService: ${gpusInService} GPUs would stay in service, fewer than ${settings.minGpusInService}`
  else {
    const low = poolGuards.find((p) => p.minGpusInService !== null && p.gpusInService < p.minGpusInService)
    if (low) reason = `pool ${low.pool}: ${low.gpusInService} GPUs would stay in service, fewer than its floor of ${low.minGpusInService}`
    else if (readySystemNodes < 1 && out.length > 0) reason = 'system nodes: no Ready Run:ai system node would remain'
  }
  return {
    nodesOut,
    maxUnavailable: settings.maxUnavailable,
    gpusInService,
    minGpusInService: settings.minGpusInService,
    readySystemNodes,
    pools: poolGuards,
    satisfied: reason === null,
    reason,
  }
}

/**
 * The waves: nodes in order, each wave filled while the guard holds with it (at most maxUnavailable,
 * the floors kept, a Ready system node left). A node the guard refuses even alone gets a wave of its
 * own marked unsatisfied: it waits for capacity when it runs.
 */
export function planRollout(snapshot: ClusterSnapshot, request: RolloutRequest): RolloutDraft {
  checkReason(request.reason)
  const chosen = chooseNodes(snapshot, request)
  const settings = resolveSettings(request, chosen.length)
  const podsByNode = new Map<string, PodState[]>()
  const chosenNames = new Set(chosen.map((n) => n.name))
  for (const pod of snapshot.pods) {
    if (pod.nodeName === null || !chosenNames.has(pod.nodeName)) continue
    const list = podsByNode.get(pod.nodeName)
    if (list) list.push(pod)
    else podsByNode.set(pod.nodeName, [pod])
  }
  const harm = new Map(chosen.map((n) => [n.name, harmOf(podsByNode.get(n.name) ?? [])]))
  const ordered = orderNodes(chosen, harm, settings.order)
  const unavailable = new Set(chosen.filter((n) => !inService(n)).map((n) => n.name))

  const base = guardBase(snapshot.nodes, settings)
  const groups: { members: NodeState[]; guard: WaveGuard }[] = []
  let current: { members: NodeState[]; guard: WaveGuard } | null = null
  const guardOf = (members: NodeState[]) => guardWith(base, members, othersOut(unavailable, members), settings)
  for (const node of ordered) {
    if (current) {
      const members: NodeState[] = [...current.members, node]
      const guard = guardOf(members)
      if (guard.satisfied) {
        current = { members, guard }
        groups[groups.length - 1] = current
        continue
      }
    }
    current = { members: [node], guard: guardOf([node]) }
    groups.push(current)
  }

  const warnings: string[] = []
  const byName = indexNodes(snapshot)
  const waves: RolloutWave[] = groups.map(({ members: waveNodes, guard }, index) => {
    // Each wave's impact from the pods on its own nodes: a full scan of every pod per wave would
    // cost waves × pods (free GPUs elsewhere, for one warning, are then not counted).
    const names = waveNodes.map((n) => n.name)
    const changes = waveNodes.map((n) => taintChange(n.name, findTaint(n.taints, DRAIN_TAINT) ?? null, DRAIN_TAINT, 'REQUESTED'))
    const draft = completeDraft(
      'DRAIN',
      request,
      names,
      changes,
      { nodes: snapshot.nodes, pods: waveNodes.flatMap((n) => podsByNode.get(n.name) ?? []), pdbs: snapshot.pdbs },
      byName,
    )
    if (!guard.satisfied) warnings.push(`wave ${index + 1} (${waveNodes.map((n) => n.name).join(', ')}) is held back by the guard now: ${guard.reason}; it waits for capacity when it runs`)
    return {
      index,
      status: 'WAITING',
      nodes: waveNodes.map((n) => waitingNode(n, settings.poolLabel)),
      impact: draft.impact,
      guard,
      warnings: draft.warnings,
      inputs: draft.inputs,
      gracePlanId: null,
      drainPlanId: null,
      undrainPlanId: null,
      startedAt: null,
      finishedAt: null,
    }
  })
  for (const name of unavailable) warnings.push(`node ${name} is already out of service (NotReady or drained): it counts against maxUnavailable until its wave returns it`)
  return {
    ...settings,
    cluster: 'default',
    status: 'PENDING',
    reason: request.reason,
    createdBy: request.createdBy,
    approvedBy: null,
    startedAt: null,
    finishedAt: null,
    waves,
    pausedBy: null,
    waitingFor: null,
    error: null,
    leftDrained: [],
    warnings,
  }
}

function othersOut(unavailable: ReadonlySet<string>, wave: readonly NodeState[]): number {
  let inWave = 0
  for (const node of wave) if (unavailable.has(node.name)) inWave++
  return unavailable.size - inWave
}

function waitingNode(node: NodeState, poolLabel: string): RolloutNode {
  return {
    name: node.name,
    pool: node.labels[poolLabel] ?? null,
    stage: 'WAITING',
    gpus: node.gpus,
    drainedAt: null,
    maintenanceDoneAt: null,
    maintenanceDoneBy: null,
    returnedAt: null,
    error: null,
    bootId: null,
    noScheduleAt: null,
  }
}
