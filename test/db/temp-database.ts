// A fresh, migrated database per test, opened through openDatabase, with a clock the test moves:
// a real SQLite file in a temp dir, or, when NODEPLAN_TEST_PG_URL names a PostgreSQL server
// (an admin connection, e.g. postgresql://postgres@127.0.0.1:5432/postgres), a new database on it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import Sqlite from 'better-sqlite3'
import pg from 'pg'
import { openDatabase } from '../../src/adapters/db/database.js'
import type { Database } from '../../src/adapters/db/database.js'
import { taintChange as makeTaintChange } from '../../src/domain/change.js'
import type { Change, PlanDraft } from '../../src/domain/plan.js'

export type Backend = 'sqlite' | 'postgresql'

const PG_ADMIN_URL = process.env.NODEPLAN_TEST_PG_URL

/** The backends the repository tests run on. */
export const backends: Backend[] = PG_ADMIN_URL ? ['sqlite', 'postgresql'] : ['sqlite']
if (!PG_ADMIN_URL && process.env.CI) {
  throw new Error('CI is set but NODEPLAN_TEST_PG_URL is not: CI must run the PostgreSQL variants of test/db (see .ci/run)')
}
if (!PG_ADMIN_URL) {
  console.warn(
    '\n**********************************************************************\n' +
      '* NODEPLAN_TEST_PG_URL is not set: the PostgreSQL variants of the    *\n' +
      '* test/db repository tests are NOT running (SQLite only).            *\n' +
      '**********************************************************************\n',
  )
}

export class ManualClock {
  constructor(private current = new Date('2026-11-01T10:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current)
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000)
  }
}

export interface TempDatabase {
  backend: Backend
  url: string
  clock: ManualClock
  db: Database
  /** Runs SQL beside the service, as someone with direct access to the database would (`?` placeholders). */
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>
  cleanup(): Promise<void>
}

/** `auditKey`: open with that audit key (a keyed chain), as `--audit-key-file` does. */
export async function openTempDatabase(backend: Backend = 'sqlite', options: { auditKey?: string } = {}): Promise<TempDatabase> {
  return backend === 'sqlite' ? openSqlite(options.auditKey) : openPostgres(options.auditKey)
}

async function openSqlite(auditKey?: string): Promise<TempDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'nodeplan-db-'))
  const file = join(dir, 'nested', 'nodeplan.db')
  const url = `file:${file}`
  const clock = new ManualClock()
  const db = await openDatabase(url, { clock, auditKey: auditKey ?? null })
  return {
    backend: 'sqlite',
    url,
    clock,
    db,
    sql: async (text, params = []) => {
      const sqlite = new Sqlite(file)
      try {
        const statement = sqlite.prepare(text)
        if (statement.reader) return statement.all(...params) as Record<string, unknown>[]
        statement.run(...params)
        return []
      } finally {
        sqlite.close()
      }
    },
    cleanup: async () => {
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

export interface EmptyPgDatabase {
  url: string
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>
  drop(): Promise<void>
}

/** A new, empty database on the NODEPLAN_TEST_PG_URL server. */
export async function createPgDatabase(): Promise<EmptyPgDatabase> {
  const name = `nodeplan_test_${randomBytes(6).toString('hex')}`
  await withAdmin(PG_ADMIN_URL!, (c) => c.query(`CREATE DATABASE "${name}"`))
  const target = new URL(PG_ADMIN_URL!)
  target.pathname = `/${name}`
  const url = target.toString()
  return {
    url,
    sql: (text, params = []) => {
      let n = 0
      return withAdmin(url, async (c) => (await c.query(text.replace(/\?/g, () => `$${++n}`), params)).rows)
    },
    drop: async () => {
      await withAdmin(PG_ADMIN_URL!, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
    },
  }
}

async function openPostgres(auditKey?: string): Promise<TempDatabase> {
  const empty = await createPgDatabase()
  const clock = new ManualClock()
  const db = await openDatabase(empty.url, { clock, auditKey: auditKey ?? null }).catch(async (error: unknown) => {
    await empty.drop()
    throw error
  })
  return {
    backend: 'postgresql',
    url: empty.url,
    clock,
    db,
    sql: empty.sql,
    cleanup: async () => {
      await db.close()
      await empty.drop()
    },
  }
}

export function taintChange(node: string): Change {
  return makeTaintChange(node, null, { key: 'runai', value: 'drain', effect: 'NoExecute' }, 'REQUESTED')
}

export function drainDraft(nodes: string[], overrides: Partial<PlanDraft> = {}): PlanDraft {
  return {
    kind: 'DRAIN',
    reason: 'firmware upgrade',
    createdBy: 'alice',
    nodes,
    changes: nodes.map(taintChange),
    impact: { nodes: nodes.length, gpus: 8 * nodes.length, automaticallyRescheduled: [], manualRelocation: [], readySystemNodesAfter: 2, nodesReturningToService: 0, gpusReturningToService: 0 },
    warnings: [],
    inputs: nodes.map((node) => ({
      node,
      exists: true,
      uid: `uid-${node}`,
      taintIds: ['runai:NoExecute'],
      taints: [],
      labelKeys: [],
      labels: { 'node-role.kubernetes.io/runai-gpu-worker': '' },
    })),
    rollbackOf: null,
    ...overrides,
  }
}
