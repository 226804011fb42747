// What each step of a wave plans and checks: the wave's ordinary plans (GRACEFUL's NoSchedule
// taint, the drain, the undrain) and the check of a node back from its maintenance. Pure.
import { DRAIN_TAINT, type ClusterSnapshot, type NodeState, type PodState, type Taint } from './cluster.js'
import { findTaint, taintChange } from './change.js'
import { completeDraft, indexNodes } from './plan-draft.js'
import type { PlanDraft } from './plan.js'
import { planDrain, planUndrain } from './planner.js'
import type { Rollout, RolloutWave } from './rollout.js'
import { classifyWorkloads } from './workloads.js'

/** GRACEFUL's first taint: no new pods land on the node, those running finish. */
export const GRACE_TAINT: Taint = { key: 'runai', value: 'drain', effect: 'NoSchedule' }

export type WavePlanKind = 'grace' | 'drain' | 'undrain'

function request(rollout: Pick<Rollout, 'id' | 'reason' | 'createdBy'>, wave: RolloutWave) {
  return { nodes: wave.nodes.map((n) => n.name), reason: `${rollout.reason} (rollout ${rollout.id}, wave ${wave.index + 1})`, createdBy: rollout.createdBy }
}

/** The wave's plan of this kind, computed on `snapshot`, tagged with the rollout. */
export function wavePlanDraft(snapshot: ClusterSnapshot, rollout: Pick<Rollout, 'id' | 'reason' | 'createdBy' | 'drainMode'>, wave: RolloutWave, kind: WavePlanKind): PlanDraft {
  const req = request(rollout, wave)
  let draft: PlanDraft
  if (kind === 'drain') draft = planDrain(snapshot, req)
  else if (kind === 'grace') {
    const nodes = indexNodes(snapshot)
    const changes = req.nodes.map((name) => taintChange(name, findTaint(nodes.get(name)?.taints ?? [], GRACE_TAINT) ?? null, GRACE_TAINT, 'REQUESTED'))
    draft = completeDraft('DRAIN', req, req.nodes, changes, snapshot, nodes)
  } else {
    draft = planUndrain(snapshot, req)
    if (rollout.drainMode === 'GRACEFUL') {
      const nodes = indexNodes(snapshot)
      const grace = req.nodes.map((name) => taintChange(name, findTaint(nodes.get(name)?.taints ?? [], GRACE_TAINT) ?? null, null, 'REQUESTED', GRACE_TAINT))
      draft = completeDraft('UNDRAIN', req, req.nodes, [...draft.changes, ...grace], snapshot, nodes)
    }
  }
  return { ...draft, rolloutId: rollout.id }
}

/** Why a node back from maintenance may not return to service; null when it may (Ready, its GPUs allocatable again). */
export function checkReturned(node: NodeState | undefined, name: string, gpusBefore: number): string | null {
  if (!node) return `node ${name} is gone from the cluster`
  if (!node.ready) return `node ${name} is not Ready`
  if (node.gpus < gpusBefore) return `node ${name} has ${node.gpus} GPUs allocatable, ${gpusBefore} before its maintenance`
  return null
}

/** Training workloads still running on a node (GRACEFUL waits for them). */
export function trainingLeft(pods: readonly PodState[]): string[] {
  return classifyWorkloads(pods, DRAIN_TAINT)
    .filter((w) => w.kind === 'TRAINING')
    .map((w) => `${w.namespace}/${w.name}`)
}
