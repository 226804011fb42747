// Pure mapping from Kubernetes objects to the domain's cluster shapes.
// Inputs are either client-node's deserialized models (timestamps as Date) or the raw
// JSON of a list/watch (timestamps as strings); both are accepted.
import type { V1Node, V1Pod, V1PodDisruptionBudget, V1Taint, V1Toleration } from '@kubernetes/client-node'
import { internFlat, internList, internRecord, internString } from './interner.js'
import type { LabelSelector, NodeCondition, NodeState, OwnerRef, PdbState, PodState, Taint, TaintEffect, Toleration } from '../../domain/cluster.js'

export const GPU_RESOURCE = 'nvidia.com/gpu'

export function toNodeState(node: V1Node): NodeState {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')
  const isReady = ready?.status === 'True'
  return {
    name: node.metadata?.name ?? '',
    uid: node.metadata?.uid ?? '',
    resourceVersion: node.metadata?.resourceVersion ?? '',
    createdAt: toIso(node.metadata?.creationTimestamp) ?? '',
    labels: node.metadata?.labels ?? {},
    taints: (node.spec?.taints ?? []).map(toTaint),
    unschedulable: node.spec?.unschedulable === true,
    ready: isReady,
    notReadySince: isReady ? null : (toIso(ready?.lastTransitionTime) ?? null),
    gpus: Math.floor(parseQuantity(node.status?.allocatable?.[GPU_RESOURCE])),
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? '',
    ...(node.status?.nodeInfo?.bootID ? { bootId: node.status.nodeInfo.bootID } : {}),
    ...toolConditions(node),
  }
}

const KUBELET_CONDITIONS = new Set(['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'])

/** The conditions health tools set, kept for the signal policy; the property only when there are some. */
function toolConditions(node: V1Node): { conditions?: NodeCondition[] } {
  const conditions = (node.status?.conditions ?? [])
    .filter((c) => !KUBELET_CONDITIONS.has(c.type))
    .map((c) => ({ type: c.type, status: c.status, reason: c.reason ?? null, message: c.message ?? null, lastTransitionTime: toIso(c.lastTransitionTime) ?? null }))
  return conditions.length > 0 ? { conditions } : {}
}

export function toPodState(pod: V1Pod): PodState {
  const nodeName = pod.spec?.nodeName || null
  const priorityClassName = pod.spec?.priorityClassName || null
  const schedulerName = pod.spec?.schedulerName || null
  return {
    namespace: internString(pod.metadata?.namespace ?? ''),
    name: pod.metadata?.name ?? '',
    nodeName: nodeName && internString(nodeName),
    phase: internString(pod.status?.phase ?? 'Unknown'),
    labels: internRecord(pod.metadata?.labels ?? {}),
    priorityClassName: priorityClassName && internString(priorityClassName),
    schedulerName: schedulerName && internString(schedulerName),
    owner: ownerOf(pod),
    tolerations: internList((pod.spec?.tolerations ?? []).map(toToleration)),
    gpus: podGpus(pod),
  }
}

export function toPdbState(pdb: V1PodDisruptionBudget): PdbState {
  const selector: LabelSelector = {}
  const sel = pdb.spec?.selector
  if (sel?.matchLabels) selector.matchLabels = sel.matchLabels
  if (sel?.matchExpressions) {
    selector.matchExpressions = sel.matchExpressions.map((e) => ({
      key: e.key,
      operator: e.operator as NonNullable<LabelSelector['matchExpressions']>[number]['operator'],
      ...(e.values ? { values: e.values } : {}),
    }))
  }
  return {
    namespace: pdb.metadata?.namespace ?? '',
    name: pdb.metadata?.name ?? '',
    selector,
    disruptionsAllowed: pdb.status?.disruptionsAllowed ?? 0,
  }
}

/** An empty taint value is the same as none in Kubernetes; the domain omits it. */
export function toTaint(t: Pick<V1Taint, 'key' | 'value' | 'effect'>): Taint {
  const taint: Taint = { key: t.key, effect: t.effect as TaintEffect }
  if (t.value) taint.value = t.value
  return taint
}

function toToleration(t: V1Toleration): Toleration {
  const out: Toleration = {}
  if (t.key !== undefined) out.key = t.key
  if (t.operator !== undefined) out.operator = t.operator as Toleration['operator']
  if (t.value !== undefined) out.value = t.value
  if (t.effect) out.effect = t.effect as TaintEffect
  if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) out.tolerationSeconds = t.tolerationSeconds
  return out
}

/** The controlling owner (ownerReferences[].controller), else the first owner. */
function ownerOf(pod: V1Pod): OwnerRef | null {
  const refs = pod.metadata?.ownerReferences ?? []
  const ref = refs.find((r) => r.controller === true) ?? refs[0]
  if (!ref) return null
  const owner: OwnerRef = { kind: internString(ref.kind), name: internString(ref.name) }
  if (ref.controller !== undefined) owner.controller = ref.controller
  return internFlat(owner)
}

/**
 * GPUs the pod holds, as the scheduler counts them: the sum over containers (request,
 * else limit), or the largest init container's if that is more.
 */
export function podGpus(pod: V1Pod): number {
  const perContainer = (c: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }) =>
    parseQuantity(c.resources?.requests?.[GPU_RESOURCE] ?? c.resources?.limits?.[GPU_RESOURCE])
  const sum = (pod.spec?.containers ?? []).reduce((n, c) => n + perContainer(c), 0)
  const init = (pod.spec?.initContainers ?? []).reduce((n, c) => Math.max(n, perContainer(c)), 0)
  return Math.max(sum, init)
}

const SUFFIX: Record<string, number> = {
  m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
}

/** A Kubernetes resource quantity ("8", "500m", "1k", "2Gi") as a number; 0 when absent or malformed. */
export function parseQuantity(q: string | number | undefined | null): number {
  if (q === undefined || q === null || q === '') return 0
  if (typeof q === 'number') return q
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim())
  if (!m) return 0
  const n = Number(m[1])
  const unit = m[2] ? SUFFIX[m[2]] : 1
  if (!Number.isFinite(n) || unit === undefined) return 0
  return n * unit
}

export function toIso(t: Date | string | undefined | null): string | undefined {
  if (t === undefined || t === null) return undefined
  if (t instanceof Date) return Number.isNaN(t.getTime()) ? undefined : t.toISOString().replace('.000Z', 'Z')
  return t
}
