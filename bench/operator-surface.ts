// The operator's surface on a 5,000-node / ~100,000-pod simulated cluster (issue 8):
//  - a /metrics scrape (node gauges are computed from the cache at scrape time): p50/p95, size;
//  - `nodeplan nodes` (the CLI as a process, table output): wall time, p50 of 5;
//  - planProgress: an apply of a 100-node drain followed over graphql-ws, events received.
// Run: npx tsx bench/operator-surface.ts   (prints a Markdown section)
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { followProgress } from '../src/cli/progress-client.js'
import { msSince, percentile, startServiceProcess, startSimulatorProcess } from './support/processes.js'

const run = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'nodeplan-bench-'))
const out: string[] = []
const say = (line = '') => out.push(line)

const sim = await startSimulatorProcess(join(dir, 'kubeconfig'), ['--system-nodes', '10', '--gpu-nodes', '4900', '--cpu-nodes', '90', '--pods-per-gpu-node', '18', '--seed', '1'])
const service = await startServiceProcess(['--database', `file:${join(dir, 'nodeplan.db')}`, '--kubeconfig', sim.kubeconfig, '--apply-parallelism', '32', '--log-level', 'info'])
// (info: the helper finds the URL in the "nodeplan is serving" line, which --log-level warn hides)
try {
  for (;;) {
    if ((await fetch(`${service.url}/readyz`)).ok) break
    await new Promise((r) => setTimeout(r, 100))
  }

  const scrapes: number[] = []
  let bytes = 0
  for (let i = 0; i < 33; i++) {
    const start = process.hrtime.bigint()
    const body = await (await fetch(`${service.url}/metrics`)).text()
    if (i >= 3) scrapes.push(msSince(start))
    bytes = body.length
  }

  const cli: number[] = []
  let rows = 0
  for (let i = 0; i < 5; i++) {
    const start = process.hrtime.bigint()
    const { stdout } = await run(process.execPath, ['bin/nodeplan.mjs', 'nodes', '--url', service.url], { maxBuffer: 64 * 1024 * 1024 })
    cli.push(msSince(start))
    rows = stdout.trim().split('\n').length - 1
  }

  const nodes = Array.from({ length: 100 }, (_, i) => `gpu-${i + 1}`)
  const plan = await service.gql(`mutation($n: [String!]!) { planDrain(input: {nodes: $n, reason: "bench"}) { id } }`, { n: nodes })
  const id = plan.planDrain.id as string
  let events = 0
  const follower = followProgress(service.url, null, id, () => events++)
  const start = process.hrtime.bigint()
  const applied = await service.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id })
  const applyMs = msSince(start)
  await follower.done
  const followMs = msSince(start)
  await follower.stop()

  say('| operator surface at 5,000 nodes | figure | target |')
  say('|---|---|---|')
  say(`| /metrics scrape p50 / p95 (30 after 3 warm-ups) | ${percentile(scrapes, 50).toFixed(1)} / ${percentile(scrapes, 95).toFixed(1)} ms | |`)
  say(`| /metrics body | ${(bytes / 1024).toFixed(1)} KiB | |`)
  say(`| \`nodeplan nodes\` as a process (${rows} rows), p50 of 5 | ${percentile(cli, 50).toFixed(0)} ms | |`)
  say(`| 100-node drain applied (${applied.applyPlan.status}) / planProgress events received | ${applyMs.toFixed(0)} ms / ${events} of 100 | |`)
  say(`| subscription complete after the apply started | ${followMs.toFixed(0)} ms | |`)
  say(`| service RSS (peak) | ${service.rssMb().rss} MB (${service.rssMb().peak} MB) | |`)
} finally {
  await service.stop()
  await sim.stop()
  rmSync(dir, { recursive: true, force: true })
}
process.stdout.write(out.join('\n') + '\n')
