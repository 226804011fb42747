// One nodeplan process serving a fleet of 10 simulated clusters × 1,000 nodes (issue 23):
// start-up to ready (every cluster listed and answering), the service's RSS, the fleet overview
// (`clusters`) and a per-cluster `nodes` query with workloads (p50/p95, request to last byte).
// The simulators run in this process, the service in its own, so its RSS is its own.
// Run: npx tsx bench/fleet-scale.ts   (prints a Markdown section)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { startSimulator, type RunningSimulator } from '../src/simulator/index.js'
import { msSince, percentile, startServiceProcess } from './support/processes.js'

const CLUSTERS = 10
const NODES = { systemNodes: 3, gpuNodes: 900, cpuNodes: 97 }
const REQUESTS = 50
const NODES_QUERY = (cluster: string) => `{ nodes(cluster: "${cluster}") { name cluster roles ready draining gpus gpusInUse taints { key effect } workloads { namespace name kind relocation project gpus pods } } }`
const OVERVIEW = `{ clusters { name reachable lastSyncedAt kubernetesVersion nodes nodesByRole { role nodes } ready notReady draining gpus gpusInService gpusOutOfService plansAwaitingApproval warnings } }`

const dir = mkdtempSync(join(tmpdir(), 'nodeplan-fleet-bench-'))
const names = Array.from({ length: CLUSTERS }, (_, i) => `cluster-${i + 1}`)
const sims: RunningSimulator[] = []
for (const [i, name] of names.entries()) {
  const sim = await startSimulator({ port: 0, seed: 1000 + i, ...NODES })
  sims.push(sim)
  writeFileSync(join(dir, `${name}.kubeconfig`), sim.kubeconfig)
}
writeFileSync(join(dir, 'clusters.yaml'), stringify(names.map((name) => ({ name, kubeconfig: `${name}.kubeconfig` }))))
const pods = sims.reduce((n, s) => n + s.sim.state().pods.total, 0)

const t0 = process.hrtime.bigint()
const service = await startServiceProcess(['--database', `file:${join(dir, 'nodeplan.db')}`, '--clusters', join(dir, 'clusters.yaml')])
for (;;) {
  const ready = await fetch(`${service.url}/readyz`)
  const checks = ((await ready.json()) as { checks: Record<string, string> }).checks
  if (ready.ok && names.every((n) => checks[`cluster:${n}`] === 'ok')) break
  await new Promise((r) => setTimeout(r, 100))
}
const startMs = msSince(t0)
const rssReady = service.rssMb().rss

/** After one warm-up request per cluster (the first answer of a cluster builds every node's view). */
async function timed(query: () => string): Promise<{ p50: number; p95: number; bytes: number }> {
  for (let i = 0; i < CLUSTERS; i++) await service.rawQuery(query())
  const times: number[] = []
  let bytes = 0
  for (let i = 0; i < REQUESTS; i++) {
    const start = process.hrtime.bigint()
    const body = await service.rawQuery(query())
    times.push(msSince(start))
    bytes = Buffer.byteLength(body)
    if (i === 0 && body.includes('"errors"')) throw new Error(body.slice(0, 500))
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), bytes }
}

const overview = await timed(() => OVERVIEW)
let next = 0
const perCluster = await timed(() => NODES_QUERY(names[next++ % names.length]!))
const { clusters } = await service.gql(OVERVIEW)
const nodes = clusters.reduce((n: number, c: { nodes: number }) => n + c.nodes, 0)
const rss = service.rssMb()

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`
const out = [
  `Fleet: ${CLUSTERS} clusters × ${NODES.systemNodes + NODES.gpuNodes + NODES.cpuNodes} nodes = ${nodes} nodes, ${pods} pods (simulators in the bench process, the service in its own).`,
  '',
  '| measure | value |',
  '|---|---|',
  `| start-up to ready (process start until /readyz shows every cluster ok) | ${Math.round(startMs)} ms |`,
  `| service RSS when ready | ${rssReady} MB |`,
  `| fleet overview \`clusters\` (${REQUESTS} requests, ${mb(overview.bytes)}): p50 / p95 | ${overview.p50.toFixed(1)} / ${overview.p95.toFixed(1)} ms |`,
  `| per-cluster \`nodes(cluster:)\` with workloads, clusters in turn, after one each (${REQUESTS} requests, ${mb(perCluster.bytes)} each): p50 / p95 | ${perCluster.p50.toFixed(1)} / ${perCluster.p95.toFixed(1)} ms |`,
  `| service RSS at the end / highest | ${rss.rss} / ${rss.peak} MB |`,
]
console.log(out.join('\n'))

await service.stop()
await Promise.all(sims.map((s) => s.close()))
rmSync(dir, { recursive: true, force: true })
