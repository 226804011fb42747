// applyPlan against its bound: a stored plan of N drains applied through a `nodeplan serve`
// process at 10 ms injected API latency, beside ⌈N / parallelism⌉ × RTT (RTT: one API request's
// round trip as the service's own client sees it, measured here with a GET of one node), and the
// real `kubectl taint` run once per node on the same simulator. Each N gets a fresh service: its
// first apply after start is the figure (the next one beside it).
// Run: npx tsx bench/apply-round-trips.ts
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { KubernetesApi } from '../src/adapters/kubernetes/kubernetes-api.js'
import { loadKubeConfig } from '../src/adapters/kubernetes/kubeconfig.js'
import { kubectlPath } from '../test/support/kubectl.js'
import { msSince, percentile, startServiceProcess, startSimulatorProcess } from './support/processes.js'

const run = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'nodeplan-bench-rt-'))
const PARALLELISM = 16
const LATENCY_MS = 10
const SIZES = [1, 20, 100]
const out: string[] = []

const sim = await startSimulatorProcess(join(dir, 'kubeconfig'), ['--system-nodes', '3', '--gpu-nodes', '600', '--cpu-nodes', '2', '--pods-per-gpu-node', '2', '--seed', '1'])
try {
  await sim.control('POST', '/_sim/faults', { latencyMs: LATENCY_MS })
  const api = new KubernetesApi(loadKubeConfig({ kubeconfigPath: sim.kubeconfig })!.kc)
  const rtts: number[] = []
  for (let i = 0; i < 25; i++) {
    const start = process.hrtime.bigint()
    await api.getJson('/api/v1/nodes/gpu-600')
    if (i >= 5) rtts.push(msSince(start))
  }
  const rtt = percentile(rtts, 50)

  let next = 1
  const names = (count: number) => Array.from({ length: count }, () => `gpu-${next++}`)
  const rows: { n: number; first: number; again: number; requests: number }[] = []
  for (const n of SIZES) {
    const service = await startServiceProcess(['--database', `file:${join(dir, `nodeplan-${n}.db`)}`, '--kubeconfig', sim.kubeconfig, '--apply-parallelism', String(PARALLELISM)])
    try {
      const timedApply = async () => {
        const plan = await service.gql(`mutation($n: [String!]!) { planDrain(input: {nodes: $n, reason: "bench"}) { id } }`, { n: names(n) })
        await sim.control('DELETE', '/_sim/requests')
        const start = process.hrtime.bigint()
        const applied = await service.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: plan.planDrain.id })
        const ms = msSince(start)
        if (applied.applyPlan.status !== 'APPLIED') throw new Error(`apply of ${n} ended ${applied.applyPlan.status}`)
        const requests = ((await sim.control('GET', '/_sim/requests')).requests as { verb: string }[]).filter((r) => r.verb !== 'watch').length
        return { ms, requests }
      }
      const first = await timedApply()
      const again = await timedApply()
      rows.push({ n, first: first.ms, again: again.ms, requests: first.requests })
    } finally {
      await service.stop()
    }
  }

  const kubectl = kubectlPath()
  const kc = ['--kubeconfig', sim.kubeconfig, '--cache-dir', join(dir, 'kubectl-cache')]
  await run(kubectl, [...kc, 'get', 'nodes', 'gpu-600'])
  const loops: Record<number, number> = {}
  for (const n of [20, 100]) {
    const start = process.hrtime.bigint()
    for (const node of names(n)) await run(kubectl, [...kc, 'taint', 'nodes', node, 'runai=drain:NoExecute'])
    loops[n] = msSince(start)
  }

  out.push(`RTT (GET of one node, ${LATENCY_MS} ms injected latency, p50 of 20): ${rtt.toFixed(1)} ms; parallelism ${PARALLELISM}`)
  out.push('')
  out.push('| N drains | applyPlan: first after start / next | API requests (first) | bound ⌈N/16⌉ × RTT | first / bound | `kubectl taint` loop | loop / first apply |')
  out.push('|---|---|---|---|---|---|---|')
  for (const r of rows) {
    const bound = Math.ceil(r.n / PARALLELISM) * rtt
    const loop = loops[r.n]
    out.push(
      `| ${r.n} | ${r.first.toFixed(0)} / ${r.again.toFixed(0)} ms | ${r.requests} | ${bound.toFixed(0)} ms | ${(r.first / bound).toFixed(1)}× | ${loop ? `${loop.toFixed(0)} ms` : ''} | ${loop ? `${(loop / r.first).toFixed(1)}×` : ''} |`,
    )
  }
} finally {
  await sim.stop()
  rmSync(dir, { recursive: true, force: true })
}
process.stdout.write(out.join('\n') + '\n')
