// Audit page latency at 1,000,000 events: fills a SQLite file with a valid hash chain using
// better-sqlite3 directly, then times pages through the real repository.
// npx tsx bench/audit-page.ts [--events N] [--keep]   (the file is reused when it already has N events)
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Sqlite from 'better-sqlite3'
import { GENESIS_HASH, canonicalJson, eventHash } from '../src/adapters/db/audit-chain.js'
import { openDatabase } from '../src/adapters/db/database.js'
import type { AuditFilter } from '../src/app/ports.js'

const arg = (name: string) => process.argv.indexOf(name)
const EVENTS = arg('--events') > 0 ? Number(process.argv[arg('--events') + 1]) : 1_000_000
const KEEP = arg('--keep') > 0
const NODES = 1_000
const ACTORS = ['alice', 'bob', 'carol', 'dave', 'system', 'downtime-watcher']
const ACTIONS = ['plan.created', 'plan.approved', 'plan.applied', 'change.applied', 'node.notready', 'node.ready', 'plan.failed', 'plan.discarded']
const RUNS = 200

const dir = join(tmpdir(), 'nodeplan-bench')
const file = join(dir, `audit-${EVENTS}.db`)
const url = `file:${file}`

function eventCount(): number {
  if (!existsSync(file)) return -1
  const sqlite = new Sqlite(file, { readonly: true })
  try {
    return Number(sqlite.prepare('SELECT "seq" FROM "AuditHead" WHERE "id" = 1').pluck().get() ?? -1)
  } catch {
    return -1
  } finally {
    sqlite.close()
  }
}

async function fill(): Promise<void> {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  await (await openDatabase(url)).close() // migrated, empty
  const sqlite = new Sqlite(file)
  // Indexes are built once after the load, which is much faster than maintaining them per row.
  const indexes = sqlite.prepare(`SELECT "name", "sql" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'AuditEvent' AND sql IS NOT NULL`).all() as { name: string; sql: string }[]
  for (const index of indexes) sqlite.exec(`DROP INDEX "${index.name}"`)
  const insert = sqlite.prepare(
    'INSERT INTO "AuditEvent" ("seq", "id", "at", "actor", "action", "planId", "node", "detail", "prevHash", "hash") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const start = Date.parse('2026-01-01T00:00:00Z')
  let prevHash = GENESIS_HASH
  // mulberry32: every bit well mixed, so node, actor and action are independent of each other
  let state = 42
  const next = () => {
    state = (state + 0x6d2b79f5) | 0
    let x = Math.imul(state ^ (state >>> 15), 1 | state)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return (x ^ (x >>> 14)) >>> 0
  }
  const t0 = performance.now()
  const batch = sqlite.transaction((from: number, to: number) => {
    for (let seq = from; seq <= to; seq++) {
      const at = new Date(start + seq * 1000)
      const node = seq % 10 === 0 ? null : `node-${next() % NODES}`
      const planId = seq % 4 === 0 ? null : `plan-${(Math.floor(seq / 8) % 100_000).toString(32).padStart(12, '0')}`
      const detail = seq % 3 === 0 ? { index: seq % 7, message: 'taint runai=drain:NoExecute added' } : null
      const event = { seq, at, actor: ACTORS[next() % ACTORS.length]!, action: ACTIONS[next() % ACTIONS.length]!, planId, node, detail }
      const hash = eventHash(prevHash, event)
      insert.run(seq, `evt-${String(seq).padStart(16, '0')}`, at.toISOString().replace('Z', '+00:00'), event.actor, event.action, planId, node, detail && canonicalJson(detail), prevHash, hash)
      prevHash = hash
    }
  })
  for (let from = 1; from <= EVENTS; from += 50_000) batch(from, Math.min(EVENTS, from + 49_999))
  const t1 = performance.now()
  for (const index of indexes) sqlite.exec(index.sql)
  sqlite.prepare('UPDATE "AuditHead" SET "seq" = ?, "hash" = ? WHERE "id" = 1').run(EVENTS, prevHash)
  sqlite.exec('ANALYZE')
  sqlite.close()
  console.log(`filled ${EVENTS} events: insert ${((t1 - t0) / 1000).toFixed(1)} s, indexes ${((performance.now() - t1) / 1000).toFixed(1)} s`)
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

async function main(): Promise<void> {
  if (eventCount() !== EVENTS) await fill()
  else console.log(`reusing ${file}`)
  const db = await openDatabase(url)

  const time = async (name: string, query: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 20; i++) await query(i) // warm-up
    const samples: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now()
      await query(i)
      samples.push(performance.now() - t0)
    }
    samples.sort((a, b) => a - b)
    console.log(`${name.padEnd(48)} p50 ${percentile(samples, 50).toFixed(2)} ms  p95 ${percentile(samples, 95).toFixed(2)} ms  max ${samples.at(-1)!.toFixed(2)} ms`)
  }
  const nodeFilter = (i: number): AuditFilter => ({ node: `node-${(i * 37) % NODES}` })

  // A cursor ~18 pages deep for each node used below.
  const deepCursors = new Map<string, string>()
  for (let i = 0; i < RUNS + 20; i++) {
    const filter = nodeFilter(i)
    if (deepCursors.has(filter.node!)) continue
    let after: string | null = null
    for (let page = 0; page < 18; page++) after = (await db.audit.list(filter, 50, after)).endCursor
    deepCursors.set(filter.node!, after!)
  }

  await time('node filter, first 50', (i) => db.audit.list(nodeFilter(i), 50, null))
  await time('node filter, 50 after a cursor 900 deep', (i) => db.audit.list(nodeFilter(i), 50, deepCursors.get(nodeFilter(i).node!)!))
  await time('actor filter (1 of 6 actors), first 50', (i) => db.audit.list({ actor: ACTORS[i % ACTORS.length] }, 50, null))
  await time('actor + node filter, first 50', (i) => db.audit.list({ ...nodeFilter(i), actor: ACTORS[i % ACTORS.length] }, 50, null))
  await time('actor + action filter, first 50', (i) => db.audit.list({ actor: ACTORS[i % ACTORS.length], action: ACTIONS[i % ACTIONS.length] }, 50, null))
  await time('plan filter, first 50', (i) => db.audit.list({ planId: `plan-${((i * 7919) % 100_000).toString(32).padStart(12, '0')}` }, 50, null))
  await time('no filter, first 50 (totalCount of all)', () => db.audit.list({}, 50, null))
  await time('since (last day), first 50', () => db.audit.list({ since: new Date(Date.parse('2026-01-01T00:00:00Z') + (EVENTS - 86_400) * 1000) }, 50, null))

  const t0 = performance.now()
  const verified = await db.audit.verify()
  console.log(`verify(): ${verified.checked} events in ${((performance.now() - t0) / 1000).toFixed(1)} s, broken: ${verified.firstBroken?.seq ?? 'none'}`)
  await db.close()
  if (!KEEP) rmSync(dir, { recursive: true, force: true })
}

await main()
