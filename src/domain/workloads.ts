// What a drain does to the pods on a node, per workload (DESIGN §1): pods are grouped by
// their controller and each group is classified by an ordered list of classifiers.
import { DRAIN_TAINT, type PodState, type Taint, type Toleration } from './cluster.js'
import type { Relocation, Workload, WorkloadKind } from './plan.js'

/** Kubernetes' Toleration.ToleratesTaint: effect and key must match (empty matches all), then the operator decides. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false
  if (toleration.key && toleration.key !== taint.key) return false
  switch (toleration.operator ?? 'Equal') {
    case 'Exists':
      return true
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '')
    default:
      return false
  }
}

/** True when one of the pod's tolerations matches the taint. */
export function tolerates(pod: PodState, taint: Taint): boolean {
  return pod.tolerations.some((t) => toleratesTaint(t, taint))
}

/** True when the taint never evicts the pod: a NoExecute toleration with tolerationSeconds only delays eviction. */
function staysDespite(pod: PodState, taint: Taint): boolean {
  return pod.tolerations.some(
    (t) => toleratesTaint(t, taint) && (taint.effect !== 'NoExecute' || t.tolerationSeconds === undefined),
  )
}

interface Classification {
  kind: WorkloadKind
  relocation: Relocation
}

type Classifier = (pod: PodState, taint: Taint) => Classification | null

const SYSTEM_NAMESPACES = new Set(['kube-system', 'runai'])
const TRAINING_OWNERS = new Set(['TrainingWorkload', 'DistributedWorkload', 'Job', 'MPIJob', 'PyTorchJob', 'TFJob', 'XGBoostJob'])
const INTERACTIVE_PRIORITIES = new Set(['interactive-preemptible', 'interactive'])
const INFERENCE_OWNERS = new Set(['InferenceWorkload', 'ReplicaSet', 'Deployment'])

const isControllerOwned = (pod: PodState): boolean => pod.owner !== null && pod.owner.controller !== false
const rescheduledIfOwned = (pod: PodState): Relocation => (isControllerOwned(pod) ? 'AUTOMATIC' : 'MANUAL')

/** First match wins. */
const CLASSIFIERS: readonly Classifier[] = [
  (pod, taint) =>
    pod.owner?.kind === 'DaemonSet' || staysDespite(pod, taint) ? { kind: 'SYSTEM', relocation: 'NOT_AFFECTED' } : null,
  (pod) =>
    SYSTEM_NAMESPACES.has(pod.namespace) || pod.priorityClassName?.startsWith('system-')
      ? { kind: 'SYSTEM', relocation: rescheduledIfOwned(pod) }
      : null,
  (pod) =>
    pod.priorityClassName === 'train' || TRAINING_OWNERS.has(pod.owner?.kind ?? '')
      ? { kind: 'TRAINING', relocation: 'AUTOMATIC' }
      : null,
  (pod) =>
    INTERACTIVE_PRIORITIES.has(pod.priorityClassName ?? '') || pod.owner?.kind === 'InteractiveWorkload'
      ? { kind: 'INTERACTIVE', relocation: 'MANUAL' }
      : null,
  (pod) => (pod.priorityClassName === 'build' ? { kind: 'BUILD', relocation: 'MANUAL' } : null),
  (pod) =>
    pod.priorityClassName === 'inference' || INFERENCE_OWNERS.has(pod.owner?.kind ?? '')
      ? { kind: 'INFERENCE', relocation: 'AUTOMATIC' }
      : null,
]

export function classifyPod(pod: PodState, taint: Taint = DRAIN_TAINT): Classification {
  for (const classifier of CLASSIFIERS) {
    const found = classifier(pod, taint)
    if (found) return found
  }
  return { kind: 'OTHER', relocation: rescheduledIfOwned(pod) }
}

/** The workload a pod belongs to: its controller, a ReplicaSet `name-<hash>` under its Deployment, else the pod itself. */
export function workloadName(pod: PodState): string {
  const owner = pod.owner
  if (!owner || owner.controller === false) return pod.name
  if (owner.kind === 'ReplicaSet') {
    const hash = pod.labels['pod-template-hash']
    if (hash && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -hash.length - 1)
    const dash = owner.name.lastIndexOf('-')
    if (dash > 0) return owner.name.slice(0, dash)
  }
  return owner.name
}

export function projectOf(pod: PodState): string | null {
  return pod.labels['project'] ?? pod.labels['runai/queue'] ?? null
}

/** Pods that have finished hold no GPUs and have nothing to relocate. */
const isFinished = (pod: PodState): boolean => pod.phase === 'Succeeded' || pod.phase === 'Failed'

/**
 * Groups pods into workloads and classifies each by what `taint` (default: the drain taint)
 * does to it. A workload takes the classification of its first pod. Sorted by namespace, name.
 */
export function classifyWorkloads(pods: readonly PodState[], taint: Taint = DRAIN_TAINT): Workload[] {
  // Nested maps: no key string to build and hash per pod.
  const byNamespace = new Map<string, Map<string, Workload>>()
  for (const pod of pods) {
    if (isFinished(pod)) continue
    let byName = byNamespace.get(pod.namespace)
    if (!byName) byNamespace.set(pod.namespace, (byName = new Map()))
    const name = workloadName(pod)
    const existing = byName.get(name)
    if (existing) {
      existing.pods += 1
      existing.gpus += pod.gpus
      if (existing.project === null) existing.project = projectOf(pod)
      continue
    }
    const { kind, relocation } = classifyPod(pod, taint)
    byName.set(name, { namespace: pod.namespace, name, kind, relocation, project: projectOf(pod), gpus: pod.gpus, pods: 1 })
  }
  const workloads: Workload[] = []
  for (const byName of byNamespace.values()) for (const workload of byName.values()) workloads.push(workload)
  return workloads.sort(byNamespaceThenName)
}

export function byNamespaceThenName(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}
