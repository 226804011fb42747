// The cluster as nodeplan sees it: plain data read from Kubernetes objects, with no
// client library types. Everything in src/domain works on these shapes.

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'

export interface Taint {
  key: string
  value?: string
  effect: TaintEffect
}

export interface Toleration {
  key?: string
  operator?: 'Exists' | 'Equal'
  value?: string
  effect?: TaintEffect
  tolerationSeconds?: number
}

export interface NodeState {
  name: string
  uid: string
  resourceVersion: string
  createdAt: string
  labels: Record<string, string>
  taints: Taint[]
  unschedulable: boolean
  ready: boolean
  /** lastTransitionTime of the Ready condition while the node is not Ready, else null. */
  notReadySince: string | null
  /** allocatable nvidia.com/gpu */
  gpus: number
  kubeletVersion: string
  /** status.nodeInfo.bootID: changes when the machine reboots. Absent when the kubelet did not report one. */
  bootId?: string
  /**
   * Conditions other than the kubelet's own (Ready, MemoryPressure, DiskPressure, PIDPressure,
   * NetworkUnavailable): those health tools write (KernelDeadlock, GpuHealthy, …). Absent when none.
   */
  conditions?: NodeCondition[]
}

export interface NodeCondition {
  type: string
  status: string
  reason: string | null
  message: string | null
  lastTransitionTime: string | null
}

/** Pods are told apart by namespace and name, their owners by kind and name: the cache keeps no uids. */
export interface OwnerRef {
  kind: string
  name: string
  controller?: boolean
}

export interface PodState {
  namespace: string
  name: string
  nodeName: string | null
  phase: string
  labels: Record<string, string>
  priorityClassName: string | null
  schedulerName: string | null
  owner: OwnerRef | null
  tolerations: readonly Toleration[]
  /** nvidia.com/gpu requested by all containers (limits where no request is given). */
  gpus: number
}

export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[]
}

export interface PdbState {
  namespace: string
  name: string
  selector: LabelSelector
  disruptionsAllowed: number
}

export interface ClusterSnapshot {
  nodes: readonly NodeState[]
  pods: PodState[]
  pdbs: PdbState[]
}

/** The taint every drain in the Run:ai procedure uses: `kubectl taint nodes N runai=drain:NoExecute`. */
export const DRAIN_TAINT: Taint = { key: 'runai', value: 'drain', effect: 'NoExecute' }
