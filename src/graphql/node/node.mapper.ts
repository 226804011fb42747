import type { NodeView } from '../../app/inventory.service.js'
import type { Taint } from '../../domain/cluster.js'
import type { NodeRoleEnum, TaintEffectEnum } from '../enums.js'
import type { LabelType } from './label.type.js'
import type { NodeType } from './node.type.js'
import type { TaintType } from './taint.type.js'
import type { WorkloadType } from './workload.type.js'

// Node states are immutable and replaced on change, so their labels and taints are converted once.
const labelLists = new WeakMap<Record<string, string>, readonly LabelType[]>()
const taintLists = new WeakMap<readonly Taint[], readonly TaintType[]>()
// The inventory hands out the same view until the node or its pods change; so does this.
const nodeTypes = new WeakMap<NodeView, NodeType>()

/** NodeView → the GraphQL Node, without plans (a field resolver reads those on demand). */
export function toNodeType(node: NodeView, cluster: string): NodeType {
  let type = nodeTypes.get(node)
  if (!type) nodeTypes.set(node, (type = Object.freeze(nodeTypeOf(node, cluster))))
  return type
}

// A view belongs to one cluster's inventory, so keying on the view alone is enough.
function nodeTypeOf(node: NodeView, cluster: string): NodeType {
  return {
    name: node.name,
    cluster,
    roles: node.roles as NodeRoleEnum[],
    ready: node.ready,
    notReadySince: node.notReadySince ? new Date(node.notReadySince) : null,
    unschedulable: node.unschedulable,
    draining: node.draining,
    taints: taintsOf(node.taints) as TaintType[],
    labels: labelsOf(node.labels) as LabelType[],
    gpus: node.gpus,
    gpusInUse: node.gpusInUse,
    workloads: node.workloads as WorkloadType[],
  }
}

function labelsOf(labels: Record<string, string>): readonly LabelType[] {
  let list = labelLists.get(labels)
  if (!list) {
    list = Object.freeze(
      Object.keys(labels)
        .sort()
        .map((key) => ({ key, value: labels[key]! })),
    )
    labelLists.set(labels, list)
  }
  return list
}

function taintsOf(taints: readonly Taint[]): readonly TaintType[] {
  let list = taintLists.get(taints)
  if (!list) {
    list = Object.freeze(taints.map((t) => ({ key: t.key, value: t.value ?? null, effect: t.effect as TaintEffectEnum })))
    taintLists.set(taints, list)
  }
  return list
}
