// Node objects as a kubelet registers them, and the status transitions the node lifecycle
// controller makes.
import type { KubeObject } from './store.js'

/** What a kubelet knows about its machine; survives `kubectl delete node` for a rejoin. */
export interface KubeletIdentity {
  name: string
  gpus: number
  cpu: number
  memoryGi: number
  internalIP: string
  machineID: string
  systemUUID: string
  bootID: string
}

export const KUBELET_VERSION = 'v1.35.0'
export const GPU_RESOURCE = 'nvidia.com/gpu'

export function kubeletLabels(name: string): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  }
}

export function readyConditions(now: string, since = now): object[] {
  return [
    condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', now, since),
    condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', now, since),
    condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', now, since),
    condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', now, since),
  ]
}

/** What a kubelet posts in its first seconds after a (re)boot, before the container runtime reports in. */
export function startingConditions(now: string): object[] {
  return [
    ...readyConditions(now).slice(0, 3),
    condition('Ready', 'False', 'KubeletNotReady', 'container runtime status check may not have completed yet', now, now),
  ]
}

/** What the node lifecycle controller writes when a kubelet stops posting status. */
export function unknownConditions(previous: { type: string; lastHeartbeatTime?: string }[], now: string): object[] {
  return previous.map((c) => ({
    type: c.type,
    status: 'Unknown',
    lastHeartbeatTime: c.lastHeartbeatTime ?? now,
    lastTransitionTime: now,
    reason: 'NodeStatusUnknown',
    message: 'Kubelet stopped posting node status.',
  }))
}

function condition(type: string, status: string, reason: string, message: string, heartbeat: string, since: string): object {
  return { type, status, lastHeartbeatTime: heartbeat, lastTransitionTime: since, reason, message }
}

/** `heartbeat` is the kubelet's last status post; heartbeats after it are not simulated. */
export function nodeObject(identity: KubeletIdentity, labels: Record<string, string>, created: string, podCIDR: string, heartbeat = created): KubeObject {
  const memoryKi = identity.memoryGi * 1024 * 1024
  const capacity: Record<string, string> = {
    cpu: String(identity.cpu),
    'ephemeral-storage': '976284608Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${memoryKi}Ki`,
    pods: '110',
  }
  if (identity.gpus > 0) capacity[GPU_RESOURCE] = String(identity.gpus)
  const allocatable = { ...capacity, cpu: `${identity.cpu * 1000 - 100}m`, memory: `${memoryKi - 1024 * 1024}Ki`, 'ephemeral-storage': '899744430145' }
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: identity.name,
      creationTimestamp: created,
      labels,
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { podCIDR, podCIDRs: [podCIDR] },
    status: {
      capacity,
      allocatable,
      conditions: readyConditions(heartbeat, created),
      addresses: [
        { type: 'InternalIP', address: identity.internalIP },
        { type: 'Hostname', address: identity.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: identity.machineID,
        systemUUID: identity.systemUUID,
        bootID: identity.bootID,
        kernelVersion: '6.8.0-60-generic',
        osImage: 'Ubuntu 24.04.2 LTS',
        containerRuntimeVersion: 'containerd://2.0.5',
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  }
}

export function isReady(node: KubeObject): boolean {
  const ready = (node.status?.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === 'Ready')
  return ready?.status === 'True'
}

export function gpuCapacity(node: KubeObject): number {
  return Number(node.status?.allocatable?.[GPU_RESOURCE] ?? 0)
}
