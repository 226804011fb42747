// What a plan's changes do to the cluster: which nodes go out of service, which workloads are
// evicted and where they go, how many Ready system nodes remain; and the warnings a reviewer needs.
import { DRAIN_TAINT, type ClusterSnapshot, type LabelSelector, type NodeState, type PdbState, type PodState, type Taint } from './cluster.js'
import { findTaint, sameTaint, taintId } from './change.js'
import type { Change, Impact, Workload } from './plan.js'
import { isDrained, nodesAfter, readySystemNodes, systemNodesGained } from './system-nodes.js'
import { byNamespaceThenName, classifyWorkloads, workloadName } from './workloads.js'

export interface Assessment {
  impact: Impact
  warnings: string[]
  readySystemNodesBefore: number
}

/** The NoExecute taint the changes put on a node that did not carry it (as it is now), if any. */
function evictingTaint(before: NodeState, after: NodeState): Taint | undefined {
  return after.taints.find((t) => t.effect === 'NoExecute' && !sameTaintPresent(before.taints, t))
}
const sameTaintPresent = (taints: readonly Taint[], taint: Taint): boolean => {
  const live = findTaint(taints, taint)
  return live !== undefined && sameTaint(live, taint)
}

export function assess(snapshot: ClusterSnapshot, nodes: ReadonlyMap<string, NodeState>, changes: readonly Change[]): Assessment {
  const after = nodesAfter(nodes, changes)
  const out = nodesTakenOut(nodes, after)
  const { podsOut, gpusInUse } = scanPods(snapshot.pods, out)
  const { workloads, evicted } = evictions(podsOut, out)
  const automaticallyRescheduled = workloads.filter((w) => w.relocation === 'AUTOMATIC')
  const manualRelocation = workloads.filter((w) => w.relocation === 'MANUAL')

  let gpus = 0
  for (const name of out.keys()) {
    const node = nodes.get(name)!
    if (!isDrained(node)) gpus += node.gpus
  }
  const readySystemNodesBefore = readySystemNodes(nodes.values())
  const readySystemNodesAfter = readySystemNodesBefore + systemNodesGained(nodes, after)
  const back = nodesReturning(nodes, after)
  const impact = {
    nodes: out.size,
    gpus,
    automaticallyRescheduled,
    manualRelocation,
    readySystemNodesAfter,
    nodesReturningToService: back.length,
    gpusReturningToService: back.reduce((sum, node) => sum + node.gpus, 0),
  }

  const warnings: string[] = []
  for (const name of after.keys()) {
    const node = nodes.get(name)
    if (node && !node.ready) warnings.push(`node ${name} is NotReady${node.notReadySince ? ` since ${node.notReadySince}` : ''}`)
  }
  warnings.push(...pdbWarnings(snapshot.pdbs, evicted))
  if (manualRelocation.length > 0) {
    const names = manualRelocation.map((w) => `${w.namespace}/${w.name} (${w.kind})`).join(', ')
    warnings.push(
      `${count(manualRelocation.length, 'workload')} will be killed and must be resubmitted by hand (interactive and build sessions are not rescheduled): ${names}`,
    )
  }
  if ((out.size > 0 || readySystemNodesAfter < readySystemNodesBefore) && readySystemNodesAfter === 1) {
    warnings.push('only 1 Ready Run:ai system node remains after this plan; the procedure recommends more than one: designate a temporary system node with nodeplan plan relabel NODE --roles …,system (planRelabel)')
  }
  const trainingGpus = automaticallyRescheduled.filter((w) => w.kind === 'TRAINING').reduce((sum, w) => sum + w.gpus, 0)
  if (trainingGpus > 0) {
    const free = freeGpusElsewhere(nodes, after, out, gpusInUse)
    if (free < trainingGpus) {
      warnings.push(`training workloads need ${trainingGpus} GPUs but only ${free} are free on other nodes: some will wait in their queue until GPUs free up`)
    }
  }
  return { impact, warnings, readySystemNodesBefore }
}

/** Drained nodes the plan keeps but undrains: what an undrain or the rollback of a drain is for. */
function nodesReturning(nodes: ReadonlyMap<string, NodeState>, after: ReadonlyMap<string, NodeState | undefined>): NodeState[] {
  const back: NodeState[] = []
  for (const [name, next] of after) {
    const before = nodes.get(name)
    if (before && next && isDrained(before) && !isDrained(next)) back.push(before)
  }
  return back
}

/** Nodes the plan takes out: newly tainted NoExecute, or deleted; with the taint that decides what each pod tolerates. */
function nodesTakenOut(nodes: ReadonlyMap<string, NodeState>, after: ReadonlyMap<string, NodeState | undefined>): Map<string, Taint> {
  const out = new Map<string, Taint>()
  for (const [name, next] of after) {
    const before = nodes.get(name)
    if (!before) continue
    const taint = next ? evictingTaint(before, next) : DRAIN_TAINT
    if (taint) out.set(name, taint)
  }
  return out
}

/** One pass over every pod: GPUs in use per node, and the pods on nodes taken out, grouped by the taint they face. */
function scanPods(pods: readonly PodState[], out: ReadonlyMap<string, Taint>) {
  const podsOut = new Map<string, PodState[]>()
  const gpusInUse = new Map<string, number>()
  for (const pod of pods) {
    if (pod.nodeName === null || pod.phase === 'Succeeded' || pod.phase === 'Failed') continue
    gpusInUse.set(pod.nodeName, (gpusInUse.get(pod.nodeName) ?? 0) + pod.gpus)
    const taint = out.get(pod.nodeName)
    if (!taint) continue
    const id = `${taintId(taint)}=${taint.value ?? ''}`
    const list = podsOut.get(id)
    if (list) list.push(pod)
    else podsOut.set(id, [pod])
  }
  return { podsOut, gpusInUse }
}

/** The affected workloads (merged across nodes) and the pods the taint evicts. */
function evictions(podsOut: ReadonlyMap<string, PodState[]>, out: ReadonlyMap<string, Taint>) {
  const evicted: PodState[] = []
  const workloads: Workload[] = []
  for (const pods of podsOut.values()) {
    const taint = out.get(pods[0]!.nodeName!)!
    const affected = new Set<string>()
    for (const workload of classifyWorkloads(pods, taint)) {
      if (workload.relocation === 'NOT_AFFECTED') continue
      workloads.push(workload)
      affected.add(`${workload.namespace}/${workload.name}`)
    }
    for (const pod of pods) if (affected.has(`${pod.namespace}/${workloadName(pod)}`)) evicted.push(pod)
  }
  return { workloads: mergeWorkloads(workloads), evicted }
}

/** One workload spread over several nodes (or taints) is one entry. */
function mergeWorkloads(workloads: Workload[]): Workload[] {
  const byKey = new Map<string, Workload>()
  for (const w of workloads) {
    const key = `${w.namespace}/${w.name}`
    const seen = byKey.get(key)
    if (seen) {
      seen.gpus += w.gpus
      seen.pods += w.pods
    } else byKey.set(key, { ...w })
  }
  return [...byKey.values()].sort(byNamespaceThenName)
}

function freeGpusElsewhere(
  nodes: ReadonlyMap<string, NodeState>,
  after: ReadonlyMap<string, NodeState | undefined>,
  out: ReadonlyMap<string, Taint>,
  gpusInUse: ReadonlyMap<string, number>,
): number {
  let free = 0
  for (const [name, current] of nodes) {
    if (out.has(name)) continue
    const node = after.has(name) ? after.get(name) : current
    if (!node || !node.ready || node.unschedulable || isDrained(node) || node.gpus === 0) continue
    free += Math.max(0, node.gpus - (gpusInUse.get(name) ?? 0))
  }
  return free
}

function pdbWarnings(pdbs: readonly PdbState[], evicted: readonly PodState[]): string[] {
  if (pdbs.length === 0 || evicted.length === 0) return []
  const byNamespace = new Map<string, PdbState[]>()
  for (const pdb of pdbs) byNamespace.set(pdb.namespace, [...(byNamespace.get(pdb.namespace) ?? []), pdb])
  const covered = new Map<PdbState, { pods: number; workloads: Set<string> }>()
  for (const pod of evicted) {
    for (const pdb of byNamespace.get(pod.namespace) ?? []) {
      if (!selects(pdb.selector, pod.labels)) continue
      const entry = covered.get(pdb) ?? { pods: 0, workloads: new Set<string>() }
      entry.pods += 1
      entry.workloads.add(`${pod.namespace}/${workloadName(pod)}`)
      covered.set(pdb, entry)
    }
  }
  return [...covered].map(
    ([pdb, { pods, workloads }]) =>
      `PodDisruptionBudget ${pdb.namespace}/${pdb.name} covers ${count(pods, 'pod')} of ${[...workloads].sort().join(', ')} that the taint evicts without consulting it (the taint manager deletes pods directly)`,
  )
}

/** Kubernetes label selector semantics; an empty selector selects every pod. */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const value = labels[key]
    const ok =
      operator === 'In' ? value !== undefined && values.includes(value)
      : operator === 'NotIn' ? value === undefined || !values.includes(value)
      : operator === 'Exists' ? value !== undefined
      : value === undefined
    if (!ok) return false
  }
  return true
}

export const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`
