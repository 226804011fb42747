// Audit page latency at 1,000,000 events: fills the database with a valid hash chain directly
// (better-sqlite3 / pg, not the service), then times pages through the real repository.
// npx tsx bench/audit-page.ts [--events N] [--keep] [--pg postgresql://…/dedicated_db]
// SQLite by default (a temp file, reused with --keep when it already has N events); with --pg the
// named database's audit trail is REPLACED, so give it a database of its own.
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Sqlite from 'better-sqlite3'
import pg from 'pg'
import { GENESIS_HASH, canonicalJson, eventHash } from '../src/adapters/db/audit-chain.js'
import { openDatabase } from '../src/adapters/db/database.js'
import type { AuditFilter } from '../src/app/ports.js'

const arg = (name: string) => process.argv.indexOf(name)
const EVENTS = arg('--events') > 0 ? Number(process.argv[arg('--events') + 1]) : 1_000_000
const KEEP = arg('--keep') > 0
const PG_URL = arg('--pg') > 0 ? process.argv[arg('--pg') + 1]! : null
const NODES = 1_000
const ACTORS = ['alice', 'bob', 'carol', 'dave', 'system', 'downtime-watcher']
const ACTIONS = ['plan.created', 'plan.approved', 'plan.applied', 'change.applied', 'node.notready', 'node.ready', 'plan.failed', 'plan.discarded']
const RUNS = 200
const BATCH = 10_000

const dir = join(tmpdir(), 'nodeplan-bench')
const file = join(dir, `audit-${EVENTS}.db`)
const url = PG_URL ?? `file:${file}`

type Row = [seq: number, id: string, at: Date, actor: string, action: string, planId: string | null, node: string | null, detail: string | null, prevHash: string, hash: string]

/** The synthetic trail, a batch of rows at a time; `chain.hash` ends as the head's hash. */
function* batches(chain: { hash: string }): Generator<Row[]> {
  const start = Date.parse('2026-01-01T00:00:00Z')
  // mulberry32: every bit well mixed, so node, actor and action are independent of each other
  let state = 42
  const next = () => {
    state = (state + 0x6d2b79f5) | 0
    let x = Math.imul(state ^ (state >>> 15), 1 | state)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return (x ^ (x >>> 14)) >>> 0
  }
  let rows: Row[] = []
  for (let seq = 1; seq <= EVENTS; seq++) {
    const at = new Date(start + seq * 1000)
    const node = seq % 10 === 0 ? null : `node-${next() % NODES}`
    const planId = seq % 4 === 0 ? null : `plan-${(Math.floor(seq / 8) % 100_000).toString(32).padStart(12, '0')}`
    const detail = seq % 3 === 0 ? { index: seq % 7, message: 'taint runai=drain:NoExecute added' } : null
    const event = { seq, at, actor: ACTORS[next() % ACTORS.length]!, action: ACTIONS[next() % ACTIONS.length]!, planId, node, detail }
    const hash = eventHash(chain.hash, event)
    rows.push([seq, `evt-${String(seq).padStart(16, '0')}`, at, event.actor, event.action, planId, node, detail && canonicalJson(detail), chain.hash, hash])
    chain.hash = hash
    if (rows.length === BATCH || seq === EVENTS) {
      yield rows
      rows = []
    }
  }
}

async function sqliteEventCount(): Promise<number> {
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

async function fillSqlite(): Promise<void> {
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
  // the text form the Prisma adapter writes
  const load = sqlite.transaction((rows: Row[]) => {
    for (const row of rows) insert.run(...row.slice(0, 2), row[2].toISOString().replace('Z', '+00:00'), ...row.slice(3))
  })
  const chain = { hash: GENESIS_HASH }
  const t0 = performance.now()
  for (const rows of batches(chain)) load(rows)
  const t1 = performance.now()
  for (const index of indexes) sqlite.exec(index.sql)
  sqlite.prepare('UPDATE "AuditHead" SET "seq" = ?, "hash" = ? WHERE "id" = 1').run(EVENTS, chain.hash)
  sqlite.exec('ANALYZE')
  sqlite.close()
  console.log(`filled ${EVENTS} events: insert ${((t1 - t0) / 1000).toFixed(1)} s, indexes ${((performance.now() - t1) / 1000).toFixed(1)} s`)
}

async function pgEventCount(client: pg.Client): Promise<number> {
  const head = await client.query('SELECT "seq" FROM "AuditHead" WHERE "id" = 1')
  const events = await client.query('SELECT count(*)::int AS n FROM "AuditEvent"')
  return head.rows[0]?.seq === events.rows[0].n ? events.rows[0].n : -1
}

async function fillPostgres(client: pg.Client): Promise<void> {
  await client.query('TRUNCATE "AuditEvent"')
  const indexes = (await client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'AuditEvent' AND indexname NOT LIKE '%_pkey'`)).rows as { indexname: string; indexdef: string }[]
  for (const index of indexes) await client.query(`DROP INDEX "${index.indexname}"`)
  const chain = { hash: GENESIS_HASH }
  const t0 = performance.now()
  for (const rows of batches(chain)) {
    const columns = Array.from({ length: 10 }, (_, c) => rows.map((row) => (c === 2 ? (row[c] as Date).toISOString() : row[c])))
    await client.query(
      `INSERT INTO "AuditEvent" ("seq", "id", "at", "actor", "action", "planId", "node", "detail", "prevHash", "hash")
       SELECT * FROM unnest($1::int[], $2::text[], $3::timestamp[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])`,
      columns,
    )
  }
  const t1 = performance.now()
  for (const index of indexes) await client.query(index.indexdef)
  await client.query('UPDATE "AuditHead" SET "seq" = $1, "hash" = $2 WHERE "id" = 1', [EVENTS, chain.hash])
  await client.query('ANALYZE "AuditEvent"')
  console.log(`filled ${EVENTS} events: insert ${((t1 - t0) / 1000).toFixed(1)} s, indexes ${((performance.now() - t1) / 1000).toFixed(1)} s`)
}

async function prepare(): Promise<void> {
  if (!PG_URL) {
    if ((await sqliteEventCount()) === EVENTS) console.log(`reusing ${file}`)
    else await fillSqlite()
    return
  }
  await (await openDatabase(PG_URL)).close() // migrated
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    if ((await pgEventCount(client)) === EVENTS) console.log('reusing the PostgreSQL trail')
    else await fillPostgres(client)
  } finally {
    await client.end()
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

async function main(): Promise<void> {
  await prepare()
  console.log(`${PG_URL ? 'PostgreSQL' : 'SQLite'}, ${EVENTS} events, ${new Date().toISOString()}`)
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
  console.log(`verify(): ${verified.checked} events in ${((performance.now() - t0) / 1000).toFixed(1)} s, broken: ${verified.problem ?? 'none'}`)
  await db.close()
  if (!KEEP && !PG_URL) rmSync(dir, { recursive: true, force: true })
}

await main()
