// Write throughput of the audit chain through the repository: appends from 50 concurrent callers,
// then verify(). SQLite in a temp dir, and PostgreSQL too when NODEPLAN_BENCH_PG_URL names a database
// (it must be empty or a nodeplan database; the events are appended to it).
// npx tsx bench/audit-append.ts [--events N]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { openDatabase } from '../src/adapters/db/database.js'

const arg = process.argv.indexOf('--events')
const EVENTS = arg > 0 ? Number(process.argv[arg + 1]) : 10_000
const CONCURRENCY = 50

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

async function run(label: string, url: string): Promise<void> {
  const db = await openDatabase(url)
  const samples: number[] = []
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, caller) => {
      while (next < EVENTS) {
        const i = next++
        const start = performance.now()
        await db.audit.append({ actor: `client-${caller}`, action: 'change.applied', planId: `plan-${i >> 4}`, node: `node-${i % 500}`, detail: { index: i % 16 } })
        samples.push(performance.now() - start)
      }
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  samples.sort((a, b) => a - b)
  const t1 = performance.now()
  const verified = await db.audit.verify()
  console.log(
    `${label}: ${EVENTS} appends by ${CONCURRENCY} callers in ${seconds.toFixed(1)} s = ${Math.round(EVENTS / seconds)}/s, ` +
      `latency p50 ${percentile(samples, 50).toFixed(1)} ms p95 ${percentile(samples, 95).toFixed(1)} ms; ` +
      `verify() of ${verified.checked} in ${((performance.now() - t1) / 1000).toFixed(2)} s, broken: ${verified.problem ?? 'none'}`,
  )
  await db.close()
}

const dir = mkdtempSync(join(tmpdir(), 'nodeplan-append-'))
try {
  await run('SQLite', `file:${join(dir, 'audit.db')}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
if (process.env.NODEPLAN_BENCH_PG_URL) await run('PostgreSQL', process.env.NODEPLAN_BENCH_PG_URL)
else console.log('PostgreSQL: skipped (set NODEPLAN_BENCH_PG_URL)')
