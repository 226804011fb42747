import type { NodeView } from '../../app/inventory.service.js'
import type { NodeRoleEnum, TaintEffectEnum } from '../enums.js'
import type { NodeType } from './node.type.js'

/** NodeView → the GraphQL Node, without workloads and plans (field resolvers supply those on demand). */
export function toNodeType(node: NodeView): Omit<NodeType, 'workloads'> {
  return {
    name: node.name,
    roles: node.roles as NodeRoleEnum[],
    ready: node.ready,
    notReadySince: node.notReadySince ? new Date(node.notReadySince) : null,
    unschedulable: node.unschedulable,
    draining: node.draining,
    taints: node.taints.map((t) => ({ key: t.key, value: t.value ?? null, effect: t.effect as TaintEffectEnum })),
    labels: Object.keys(node.labels)
      .sort()
      .map((key) => ({ key, value: node.labels[key]! })),
    gpus: node.gpus,
    gpusInUse: node.gpusInUse,
  }
}
