// The planner: from a cluster snapshot and a request, a PlanDraft (changes, impact, warnings,
// inputs). Pure: the caller reads the cluster and stores the draft.
import { DRAIN_TAINT, type ClusterSnapshot, type NodeState } from './cluster.js'
import { findTaint, labelChange, nodeDeletion, taintChange } from './change.js'
import { NodeplanError } from './errors.js'
import { count } from './drain-impact.js'
import { completeDraft, indexNodes } from './plan-draft.js'
import type { Change, ChangeReason, LabelChange, PlanDraft } from './plan.js'
import { NODE_ROLES, ROLE_LABEL, type NodeRole } from './roles.js'
import { isDrained, isServingSystemNode } from './system-nodes.js'
import { checkNodes, checkReason, checkRoles } from './validation.js'

/** The nodes of the snapshot by name, once the request's node list and reason have been checked. */
function checkedRequest(snapshot: ClusterSnapshot, request: NodesRequest): Map<string, NodeState> {
  const nodes = indexNodes(snapshot)
  checkNodes(request.nodes, nodes)
  checkReason(request.reason)
  return nodes
}

export interface NodesRequest {
  nodes: string[]
  reason: string
  createdBy: string
}

export interface DrainRequest extends NodesRequest {
  /** UNPLANNED_DOWNTIME when nodeplan proposes the drain of a node that stayed NotReady. */
  changeReason?: 'REQUESTED' | 'UNPLANNED_DOWNTIME'
}

export interface RejoinRequest extends NodesRequest {
  /** Per node, the labels its decommission stored (the NODE change's `before.labels`). */
  stored: Record<string, Record<string, string>>
}

export interface RelabelRequest {
  node: string
  roles: NodeRole[]
  reason: string
  createdBy: string
}

/** Labels the kubelet sets itself on registration; a rejoin need not (and must not) restore them. */
export function isKubeletLabel(key: string): boolean {
  return (
    key === 'kubernetes.io/hostname' ||
    key === 'kubernetes.io/os' ||
    key === 'kubernetes.io/arch' ||
    key === 'node.kubernetes.io/instance-type' ||
    key.startsWith('beta.kubernetes.io/') ||
    key.startsWith('failure-domain.beta.kubernetes.io/') ||
    key.startsWith('topology.kubernetes.io/')
  )
}

export function keptLabels(labels: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {}
  for (const key of Object.keys(labels).sort()) if (!isKubeletLabel(key)) kept[key] = labels[key]!
  return kept
}

function drainTaintChange(node: NodeState, reason: ChangeReason): Change {
  return taintChange(node.name, findTaint(node.taints, DRAIN_TAINT) ?? null, DRAIN_TAINT, reason)
}

export function planDrain(snapshot: ClusterSnapshot, request: DrainRequest): PlanDraft {
  const nodes = checkedRequest(snapshot, request)
  const reason = request.changeReason ?? 'REQUESTED'
  const changes = request.nodes.map((name) => drainTaintChange(nodes.get(name)!, reason))
  return completeDraft('DRAIN', request, request.nodes, changes, snapshot, nodes)
}

export function planUndrain(snapshot: ClusterSnapshot, request: DrainRequest): PlanDraft {
  const nodes = checkedRequest(snapshot, request)
  const reason = request.changeReason ?? 'REQUESTED'
  const warnings: string[] = []
  const changes = request.nodes.map((name) => {
    const node = nodes.get(name)!
    const live = findTaint(node.taints, DRAIN_TAINT) ?? null
    if (live && node.unschedulable) warnings.push(`node ${name} stays cordoned (spec.unschedulable): uncordon it for new pods to land there`)
    return taintChange(name, live, null, reason, DRAIN_TAINT)
  })
  return completeDraft('UNDRAIN', request, request.nodes, changes, snapshot, nodes, warnings)
}

export function planDecommission(snapshot: ClusterSnapshot, request: NodesRequest): PlanDraft {
  const nodes = checkedRequest(snapshot, request)
  const changes: Change[] = []
  const warnings: string[] = []
  for (const name of request.nodes) {
    const node = nodes.get(name)!
    const labels = keptLabels(node.labels)
    changes.push(drainTaintChange(node, 'DECOMMISSION'))
    changes.push(nodeDeletion(name, { name, labels }, 'DECOMMISSION'))
    warnings.push(
      `node ${name} will be deleted, which cannot be rolled back: to bring it back, nodeplan join-command (createJoinCommand), run the join command on the machine, then nodeplan plan rejoin ${name} (planRejoin) restores its ${count(Object.keys(labels).length, 'stored label')}`,
    )
  }
  return completeDraft('DECOMMISSION', request, request.nodes, changes, snapshot, nodes, warnings)
}

export function planRejoin(snapshot: ClusterSnapshot, request: RejoinRequest): PlanDraft {
  const nodes = checkedRequest(snapshot, request)
  const changes: Change[] = []
  const warnings: string[] = []
  for (const name of request.nodes) {
    const stored = request.stored[name]
    if (!stored) {
      throw new NodeplanError('BAD_USER_INPUT', `nodes: nothing stored to restore for node ${name}: only a node removed by an applied DECOMMISSION plan can rejoin (use nodeplan plan relabel, planRelabel, to set its roles)`, {
        field: 'nodes',
        node: name,
      })
    }
    const node = nodes.get(name)!
    if (!node.ready) warnings.push(`node ${name} is not Ready yet: its restored roles take effect once it is`)
    for (const key of Object.keys(stored).sort()) {
      if (isKubeletLabel(key)) continue
      changes.push(labelChange(name, key, node.labels[key] ?? null, stored[key]!, 'REJOIN'))
    }
    const drain = findTaint(node.taints, DRAIN_TAINT)
    if (drain) changes.push(taintChange(name, drain, null, 'REJOIN'))
  }
  return completeDraft('REJOIN', request, request.nodes, changes, snapshot, nodes, warnings)
}

export function planRelabel(snapshot: ClusterSnapshot, request: RelabelRequest): PlanDraft {
  const nodes = indexNodes(snapshot)
  checkNodes([request.node], nodes)
  checkReason(request.reason)
  checkRoles(request.roles)
  const node = nodes.get(request.node)!
  const wanted = new Set<NodeRole>(request.roles)
  const changes: LabelChange[] = []
  const warnings: string[] = []
  for (const role of NODE_ROLES) {
    const key = ROLE_LABEL[role]
    const live = node.labels[key] ?? null
    if (wanted.has(role)) changes.push(labelChange(node.name, key, live, live ?? '', 'REQUESTED'))
    else if (live !== null) changes.push(labelChange(node.name, key, live, null, 'REQUESTED'))
  }
  const designates = changes.some((c) => c.action === 'CREATE' && c.target.key === ROLE_LABEL.SYSTEM)
  if (designates) {
    warnings.push(`node ${node.name} becomes a temporary Run:ai system node: rolling back this plan retires it`)
    if (!node.ready || isDrained(node)) {
      warnings.push(`node ${node.name} is ${node.ready ? 'drained' : 'NotReady'}, so it will not count as a Ready system node`)
    }
  }
  if (changes.some((c) => c.action === 'DELETE' && c.target.key === ROLE_LABEL.SYSTEM) && isServingSystemNode(node)) {
    warnings.push(`node ${node.name} stops being a Run:ai system node`)
  }
  return completeDraft('RELABEL', request, [request.node], changes, snapshot, nodes, warnings)
}

export { planRollback } from './rollback.js'
