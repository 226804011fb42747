// The pure part of planning at scale: a 100-node drain (and its rollback, staleness check and
// diff text) in a 5,000-node cluster with 100,000 pods. The service's plan p50 adds I/O to this.
import type { NodeState, PodState } from '../src/domain/cluster.js'
import { DRAIN_TAINT } from '../src/domain/cluster.js'
import { renderDiff } from '../src/domain/diff.js'
import type { Plan } from '../src/domain/plan.js'
import { planDrain, planRollback } from '../src/domain/planner.js'
import { ROLE_LABEL } from '../src/domain/roles.js'
import { staleness } from '../src/domain/staleness.js'

const NODES = 5_000
const PODS = 100_000
const DRAINED = 100
const PRIORITIES = ['train', 'interactive-preemptible', 'build', 'inference', null]
const OWNERS = ['TrainingWorkload', 'InteractiveWorkload', 'ReplicaSet', 'DaemonSet', 'Job', null]

const nodes: NodeState[] = []
for (let i = 0; i < NODES; i++) {
  const role = i < 3 ? ROLE_LABEL.SYSTEM : ROLE_LABEL.GPU_WORKER
  nodes.push({
    name: `node-${i}`, uid: `uid-${i}`, resourceVersion: '1', createdAt: '2026-01-01T00:00:00Z',
    labels: { 'kubernetes.io/hostname': `node-${i}`, [role]: '' }, taints: [], unschedulable: false,
    ready: true, notReadySince: null, gpus: i < 3 ? 0 : 8, kubeletVersion: 'v1.35.0',
  })
}
const pods: PodState[] = []
for (let i = 0; i < PODS; i++) {
  const owner = OWNERS[i % OWNERS.length]
  pods.push({
    namespace: `runai-team-${i % 40}`, name: `pod-${i}`, nodeName: `node-${i % NODES}`, phase: 'Running',
    labels: { project: `team-${i % 40}`, app: `w-${i >> 3}` }, priorityClassName: PRIORITIES[i % PRIORITIES.length] ?? null,
    schedulerName: 'runai-scheduler', owner: owner ? { kind: owner, name: `w-${i >> 3}`, controller: true } : null,
    tolerations: [], gpus: i % 3 === 0 ? 1 : 0,
  })
}
const pdbs = Array.from({ length: 200 }, (_, i) => ({ namespace: `runai-team-${i % 40}`, name: `pdb-${i}`, selector: { matchLabels: { app: `w-${i * 7}` } }, disruptionsAllowed: 0 }))
const snapshot = { nodes, pods, pdbs }
const request = { nodes: Array.from({ length: DRAINED }, (_, i) => `node-${10 + i * 37}`), reason: 'bench', createdBy: 'bench' }

function time(label: string, runs: number, fn: () => void): void {
  for (let i = 0; i < 3; i++) fn()
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    fn()
    ms.push(performance.now() - start)
  }
  ms.sort((a, b) => a - b)
  console.log(`${label}: p50 ${ms[Math.floor(runs / 2)]!.toFixed(1)} ms, p95 ${ms[Math.floor(runs * 0.95)]!.toFixed(1)} ms (${runs} runs)`)
}

const draft = planDrain(snapshot, request)
const applied: Plan = {
  ...draft, id: 'bench', cluster: 'default', status: 'APPLIED', createdAt: new Date(), approvedBy: null, appliedBy: 'bench', appliedAt: new Date(),
  changes: draft.changes.map((c) => ({ ...c, applied: true, error: null })),
}
const drainedSet = new Set(request.nodes)
const after = { ...snapshot, nodes: nodes.map((n) => (drainedSet.has(n.name) ? { ...n, taints: [DRAIN_TAINT] } : n)) }
const byName = new Map(after.nodes.map((n) => [n.name, n]))

console.log(`${NODES} nodes, ${PODS} pods, ${pdbs.length} PDBs; drain of ${DRAINED} nodes: ${draft.impact.automaticallyRescheduled.length + draft.impact.manualRelocation.length} workloads, ${draft.warnings.length} warnings`)
time('planDrain', 30, () => void planDrain(snapshot, request))
time('planRollback', 30, () => void planRollback(after, applied, { reason: 'bench', createdBy: 'bench' }))
time('staleness (100 nodes)', 30, () => void staleness(draft.inputs, (name) => byName.get(name)))
time('renderDiff', 30, () => void renderDiff(draft))
