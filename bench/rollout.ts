// Rollouts (issue 21) at scale: planRollout of 500 nodes (a node pool) in a 5,000-node cluster
// through a `nodeplan serve` process over HTTP, beside the pure planner alone; and the service's
// own time per wave of a running rollout — from the last completeMaintenance of a wave to the next
// wave's nodes drained (check, UNDRAIN applied, guard and staleness, DRAIN applied), read from the
// audit trail's timestamps — beside the Kubernetes requests made in that time at their measured RTT.
// Run: npx tsx bench/rollout.ts
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubernetesApi } from '../src/adapters/kubernetes/kubernetes-api.js'
import { loadKubeConfig } from '../src/adapters/kubernetes/kubeconfig.js'
import type { NodeState, PodState } from '../src/domain/cluster.js'
import { planRollout } from '../src/domain/rollout-waves.js'
import { ROLE_LABEL } from '../src/domain/roles.js'
import { msSince, percentile, startServiceProcess, startSimulatorProcess } from './support/processes.js'

const dir = mkdtempSync(join(tmpdir(), 'nodeplan-bench-rollout-'))
const RUNS = 12
const WAVES = 10
const out: string[] = []
const fmt = (ms: number) => `${ms.toFixed(1)} ms`

// 0. The planner alone on a synthetic 5,000-node, 100,000-pod snapshot (no I/O).
{
  const nodes: NodeState[] = Array.from({ length: 5_000 }, (_, i) => ({
    name: `node-${i}`, uid: `uid-${i}`, resourceVersion: '1', createdAt: '2026-01-01T00:00:00Z',
    labels: { 'kubernetes.io/hostname': `node-${i}`, [i < 3 ? ROLE_LABEL.SYSTEM : ROLE_LABEL.GPU_WORKER]: '', ...(i >= 100 && i < 600 ? { 'run.ai/node-pool': 'a100' } : {}) },
    taints: [], unschedulable: false, ready: true, notReadySince: null, gpus: i < 3 ? 0 : 8, kubeletVersion: 'v1.35.0',
  }))
  const owners = ['TrainingWorkload', 'InteractiveWorkload', 'ReplicaSet', 'DaemonSet', 'Job', null]
  const pods: PodState[] = Array.from({ length: 100_000 }, (_, i) => {
    const owner = owners[i % owners.length]
    return { namespace: `ns-${i % 40}`, name: `pod-${i}`, nodeName: `node-${i % 5_000}`, phase: 'Running', labels: { app: `w-${i >> 3}` }, priorityClassName: null, schedulerName: 'runai-scheduler', owner: owner ? { kind: owner, name: `w-${i >> 3}`, controller: true } : null, tolerations: [], gpus: i % 3 === 0 ? 1 : 0 }
  })
  for (const maxUnavailable of ['4', '10%']) {
    const times: number[] = []
    for (let i = 0; i < RUNS + 3; i++) {
      const start = process.hrtime.bigint()
      planRollout({ nodes, pods, pdbs: [] }, { reason: 'bench', createdBy: 'bench', labels: [{ key: 'run.ai/node-pool', value: 'a100' }], maxUnavailable, minGpusInService: 100 })
      if (i >= 3) times.push(msSince(start))
    }
    out.push(`| planner alone (pure domain), 500 of 5,000 nodes / 100,000 pods, maxUnavailable ${maxUnavailable} | ${fmt(percentile(times, 50))} | ${fmt(percentile(times, 95))} | |`)
  }
}

const sim = await startSimulatorProcess(join(dir, 'kubeconfig'), ['--system-nodes', '10', '--gpu-nodes', '4900', '--cpu-nodes', '90', '--pods-per-gpu-node', '18', '--node-pool', 'a100=500', '--seed', '1'])
const service = await startServiceProcess(['--database', `file:${join(dir, 'nodeplan.db')}`, '--kubeconfig', sim.kubeconfig])
try {
  // Under load the first list of 100,000 pods may take longer than start-up waits for it.
  while ((await fetch(`${service.url}/readyz`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 500))
  // 1. planRollout of the 500-node pool, over HTTP.
  const plan = async (maxUnavailable: string) => {
    const start = process.hrtime.bigint()
    const res = await service.gql(`mutation($m: String) { planRollout(input: { reason: "bench", labels: [{ key: "run.ai/node-pool", value: "a100" }], maxUnavailable: $m, minGpusInService: 100 }) { id waves { index } } }`, { m: maxUnavailable })
    return { ms: msSince(start), waves: res.planRollout.waves.length as number }
  }
  for (const maxUnavailable of ['4', '10%']) {
    await plan(maxUnavailable)
    const times: number[] = []
    let waves = 0
    for (let i = 0; i < RUNS; i++) {
      const run = await plan(maxUnavailable)
      times.push(run.ms)
      waves = run.waves
    }
    out.push(`| planRollout, 500 of 5,000 nodes, maxUnavailable ${maxUnavailable} (${waves} waves), over HTTP | ${fmt(percentile(times, 50))} | ${fmt(percentile(times, 95))} | < 1 s |`)
  }

  // 2. The service's time per wave.
  const api = new KubernetesApi(loadKubeConfig({ kubeconfigPath: sim.kubeconfig })!.kc)
  const rtts: number[] = []
  for (let i = 0; i < 25; i++) {
    const start = process.hrtime.bigint()
    await api.getJson('/api/v1/nodes/gpu-4000')
    if (i >= 5) rtts.push(msSince(start))
  }
  const rtt = percentile(rtts, 50)
  const nodes = Array.from({ length: WAVES * 2 }, (_, i) => `gpu-${1001 + i}`)
  const created = await service.gql(`mutation($n: [String!]) { planRollout(input: { reason: "bench waves", nodes: $n, order: $n, maxUnavailable: "2" }) { id } }`, { n: nodes })
  const id = created.planRollout.id as string
  const stages = async () => (await service.gql(`query($id: ID!) { rollout(id: $id) { status waves { nodes { stage } } } }`, { id })).rollout
  const waitFor = async (check: (r: any) => boolean) => {
    for (;;) {
      const r = await stages()
      if (check(r)) return r
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  await service.gql(`mutation($id: ID!) { startRollout(id: $id) { id } }`, { id })
  await waitFor((r) => r.waves[0].nodes.every((n: any) => n.stage === 'IN_MAINTENANCE'))
  const per: { ms: number; requests: number }[] = []
  for (let w = 0; w < WAVES; w++) {
    await sim.control('DELETE', '/_sim/requests')
    for (const node of nodes.slice(w * 2, w * 2 + 2)) await service.gql(`mutation($id: ID!, $n: String!) { completeMaintenance(rolloutId: $id, node: $n) { id } }`, { id, n: node })
    await waitFor((r) => (w + 1 < WAVES ? r.waves[w + 1].nodes.every((n: any) => n.stage === 'IN_MAINTENANCE') : r.status === 'COMPLETED'))
    const requests = ((await sim.control('GET', '/_sim/requests')).requests as { verb: string }[]).filter((q) => q.verb !== 'watch').length
    const events = (await service.gql(`query { auditEvents(filter: { action: "rollout.maintenance.completed" }, first: 1) { edges { node { at } } } }`)).auditEvents.edges
    const doneAt = Date.parse(events[0].node.at)
    const action = w + 1 < WAVES ? 'rollout.wave.drained' : 'rollout.completed'
    const next = (await service.gql(`query($a: String) { auditEvents(filter: { action: $a }, first: 1) { edges { node { at } } } }`, { a: action })).auditEvents.edges
    per.push({ ms: Date.parse(next[0].node.at) - doneAt, requests })
  }
  const wall = per.map((p) => p.ms)
  const beyond = per.map((p) => Math.max(0, p.ms - p.requests * rtt))
  out.push(
    `| one wave: maintenance done → check, UNDRAIN, guard, DRAIN of the next (2 nodes each; ${WAVES} waves) | ${fmt(percentile(wall, 50))} | ${fmt(percentile(wall, 95))} | |`,
    `| … of which beyond its Kubernetes requests (${Math.round(percentile(per.map((p) => p.requests), 50))} a wave × RTT ${rtt.toFixed(2)} ms) | ${fmt(percentile(beyond, 50))} | ${fmt(percentile(beyond, 95))} | < 100 ms |`,
  )
} finally {
  await service.stop()
  await sim.stop()
  rmSync(dir, { recursive: true, force: true })
}

console.log('| what | p50 | p95 | target |\n| --- | --- | --- | --- |')
for (const line of out) console.log(line)
