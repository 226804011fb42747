// Two nodeplan replicas on one PostgreSQL (issue 9), beside one replica on SQLite, on a simulated
// cluster of 1,000 nodes: a 100-node drain planned and applied, writes from both replicas at once,
// and each replica's RSS. Needs NODEPLAN_TEST_PG_URL (an admin URL; scripts/pg-test-server.sh prints one).
// Run: NODEPLAN_TEST_PG_URL=$(scripts/pg-test-server.sh) npx tsx bench/replicas-pg.ts   (prints a Markdown section)
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { msSince, percentile, startServiceProcess, startSimulatorProcess, type ServiceProcess } from './support/processes.js'

const admin = process.env.NODEPLAN_TEST_PG_URL
if (!admin) {
  process.stdout.write('NODEPLAN_TEST_PG_URL is not set: start PostgreSQL with scripts/pg-test-server.sh and pass its URL.\n')
  process.exit(0)
}
const sql = async (url: string, text: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

const dir = mkdtempSync(join(tmpdir(), 'nodeplan-bench-replicas-'))
const name = `nodeplan_bench_${randomBytes(4).toString('hex')}`
await sql(admin, `CREATE DATABASE "${name}"`)
const pgUrl = Object.assign(new URL(admin), { pathname: `/${name}` }).toString()
const out: string[] = []
const sim = await startSimulatorProcess(join(dir, 'kubeconfig'), ['--system-nodes', '4', '--gpu-nodes', '980', '--cpu-nodes', '16', '--seed', '1'])
const services: ServiceProcess[] = []
try {
  // --log-level info: startServiceProcess waits for the "nodeplan is serving" line, an info one.
  const start = (database: string) => startServiceProcess(['--database', database, '--kubeconfig', sim.kubeconfig, '--apply-parallelism', '32', '--log-level', 'info'])
  const waitReady = async (s: ServiceProcess) => {
    while (!(await fetch(`${s.url}/readyz`)).ok) await new Promise((r) => setTimeout(r, 100))
  }
  const [a, b] = await Promise.all([start(pgUrl), start(pgUrl)])
  const sqlite = await start(`file:${join(dir, 'nodeplan.db')}`)
  services.push(a!, b!, sqlite)
  await Promise.all(services.map(waitReady))
  await sim.control('POST', '/_sim/faults', { latencyMs: 10, paths: '^/api/v1/nodes/' })

  const drain = async (s: ServiceProcess, nodes: string[]) => {
    const t0 = process.hrtime.bigint()
    const { planDrain } = await s.gql(`mutation($n: [String!]!) { planDrain(input: {nodes: $n, reason: "bench"}) { id } }`, { n: nodes })
    const planMs = msSince(t0)
    const t1 = process.hrtime.bigint()
    const { applyPlan } = await s.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: planDrain.id })
    if (applyPlan.status !== 'APPLIED') throw new Error(`apply ended ${applyPlan.status}`)
    return { planMs, applyMs: msSince(t1) }
  }
  const gpu = (from: number) => Array.from({ length: 100 }, (_, i) => `gpu-${from + i}`)
  const onPg = await drain(a!, gpu(1))
  const onSqlite = await drain(sqlite, gpu(101))
  await sim.control('POST', '/_sim/faults', {})

  // Writes from both replicas at once: plan a one-node drain and discard it, 20 at a time per replica.
  const cycle = async (s: ServiceProcess, node: string) => {
    const t0 = process.hrtime.bigint()
    const { planDrain } = await s.gql(`mutation($n: [String!]!) { planDrain(input: {nodes: $n, reason: "bench"}) { id } }`, { n: [node] })
    await s.gql(`mutation($id: ID!) { discardPlan(id: $id) { status } }`, { id: planDrain.id })
    return msSince(t0)
  }
  const t0 = process.hrtime.bigint()
  const rounds = 10
  const times: number[] = []
  for (let r = 0; r < rounds; r++) {
    times.push(...(await Promise.all([a!, b!].flatMap((s, k) => Array.from({ length: 20 }, (_, i) => cycle(s, `gpu-${300 + k * 20 + i}`))))))
  }
  const wallMs = msSince(t0)
  const writes = rounds * 40 * 2

  out.push('| measure | figure |', '|---|---|')
  out.push(`| planDrain + applyPlan, 100 nodes, 10 ms API latency, PostgreSQL replica | ${onPg.planMs.toFixed(0)} + ${onPg.applyMs.toFixed(0)} ms |`)
  out.push(`| the same on SQLite (one replica) | ${onSqlite.planMs.toFixed(0)} + ${onSqlite.applyMs.toFixed(0)} ms |`)
  out.push(`| plan + discard from two replicas at once (40 in flight) | ${((writes / wallMs) * 1000).toFixed(0)} plan writes/s; p50 / p95 ${percentile(times, 50).toFixed(0)} / ${percentile(times, 95).toFixed(0)} ms per cycle |`)
  out.push(`| RSS per PostgreSQL replica at 1,000 nodes (now / peak) | ${a!.rssMb().rss} / ${a!.rssMb().peak} MiB, ${b!.rssMb().rss} / ${b!.rssMb().peak} MiB |`)
} finally {
  await Promise.all(services.map((s) => s.stop()))
  await sim.stop()
  await sql(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  rmSync(dir, { recursive: true, force: true })
}
process.stdout.write(out.join('\n') + '\n')
