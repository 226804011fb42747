import type { NodeState } from './cluster.js'

export type NodeRole = 'SYSTEM' | 'GPU_WORKER' | 'CPU_WORKER'

export const NODE_ROLES: readonly NodeRole[] = ['SYSTEM', 'GPU_WORKER', 'CPU_WORKER']

/** Role labels as `kubectl get nodes` shows them under ROLES. The value is always "". */
export const ROLE_LABEL: Record<NodeRole, string> = {
  SYSTEM: 'node-role.kubernetes.io/runai-system',
  GPU_WORKER: 'node-role.kubernetes.io/runai-gpu-worker',
  CPU_WORKER: 'node-role.kubernetes.io/runai-cpu-worker',
}

export const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/'

export function rolesOf(labels: Record<string, string>): NodeRole[] {
  return NODE_ROLES.filter((role) => ROLE_LABEL[role] in labels)
}

export function isSystemNode(node: NodeState): boolean {
  return ROLE_LABEL.SYSTEM in node.labels
}
