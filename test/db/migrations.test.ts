import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Sqlite from 'better-sqlite3'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { applyMigrations } from '../../src/adapters/db/migrate.js'
import { migrationsDir, noFilters, openSchemaEngine, schemaPath } from '../../src/adapters/db/schema-engine.js'
import type { Provider } from '../../src/adapters/db/schema-engine.js'
import { migrationSql } from '../../scripts/migration-sql.js'
import { backends, createPgDatabase, openTempDatabase } from './temp-database.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodeplan-migrate-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const committed = (provider: Provider) =>
  readdirSync(migrationsDir(provider), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()

/** Migrates a fresh SQLite file, then diffs that database against a schema: 0 = same, 2 = differs. */
async function driftAgainst(schemaContent: string): Promise<{ exitCode: number; stdout: string | null }> {
  const url = join(dir, 'drift.db')
  await applyMigrations('sqlite', new PrismaBetterSqlite3({ url }))
  const path = schemaPath('sqlite')
  const engine = await openSchemaEngine(path, new PrismaBetterSqlite3({ url }))
  try {
    return await engine.diff({
      from: { tag: 'schemaDatasource', files: [{ path, content: readFileSync(path, 'utf8') }], configDir: '.' },
      to: { tag: 'schemaDatamodel', files: [{ path, content: schemaContent }] },
      script: true,
      exitCode: true,
      filters: noFilters,
    })
  } finally {
    engine.free()
  }
}

/** The model blocks of a schema, without generator, datasource and comments. */
function models(file: string): string {
  const text = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '')
  return [...text.matchAll(/^model \w+ \{[^}]*\}/gm)].map((m) => m[0]).join('\n')
}

describe('migrations', () => {
  it('should apply every committed migration to a fresh SQLite file, and nothing when applied again', async () => {
    const url = join(dir, 'fresh.db')
    expect(await applyMigrations('sqlite', new PrismaBetterSqlite3({ url }))).toEqual(committed('sqlite'))
    expect(await applyMigrations('sqlite', new PrismaBetterSqlite3({ url }))).toEqual([])

    const sqlite = new Sqlite(url, { readonly: true })
    const tables = sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all()
    const applied = sqlite.prepare(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name`).pluck().all()
    sqlite.close()
    expect(tables).toEqual(expect.arrayContaining(['AuditEvent', 'AuditHead', 'NodeLock', 'Plan', 'PlanChange', 'PlanNode']))
    expect(applied).toEqual(committed('sqlite'))
  })

  it('should leave no difference between the migrated SQLite database and prisma/schema.prisma', async () => {
    const drift = await driftAgainst(readFileSync(schemaPath('sqlite'), 'utf8'))
    expect(drift.stdout?.trim() ?? '').not.toMatch(/CREATE|ALTER|DROP/)
    expect(drift.exitCode).toBe(0)
  })

  it('should notice when schema.prisma has a column the migrations lack', async () => {
    const changed = readFileSync(schemaPath('sqlite'), 'utf8').replace('model NodeLock {', 'model NodeLock {\n  holder String?')
    const drift = await driftAgainst(changed)
    expect(drift.exitCode).toBe(2)
    expect(drift.stdout).toContain('holder')
  })

  it('should keep the same models in the SQLite and PostgreSQL schemas', () => {
    const sqliteModels = models(schemaPath('sqlite'))
    expect(sqliteModels).toContain('model AuditEvent {')
    expect(models(schemaPath('postgresql'))).toBe(sqliteModels)
  })

  it('should keep the same migration history for both providers', () => {
    expect(committed('sqlite')[0]).toBe('0001_init')
    expect(committed('postgresql')).toEqual(committed('sqlite'))
  })
})

describe.each(backends.filter((b) => b === 'postgresql'))('migrations on a live %s server', (backend) => {
  /** Columns, indexes and constraints of the public schema, as comparable text. */
  async function structure(sql: (text: string) => Promise<Record<string, unknown>[]>): Promise<string[]> {
    const columns = await sql(`
      SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS d
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`)
    const indexes = await sql(`SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`)
    const constraints = await sql(`
      SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS d
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'`)
    return [...columns, ...indexes, ...constraints].map((row) => String(row.d)).sort()
  }

  it('should build, from the committed migrations, exactly the database prisma/postgres/schema.prisma describes', async () => {
    const migrated = await openTempDatabase(backend)
    const fromSchema = await createPgDatabase()
    try {
      await fromSchema.sql(await migrationSql(schemaPath('postgresql')))
      const expected = await structure(fromSchema.sql)
      expect(expected.filter((line) => line.startsWith('CREATE INDEX')).length).toBeGreaterThan(5)
      expect(await structure(migrated.sql)).toEqual(expected)

      expect(await applyMigrations('postgresql', new PrismaPg({ connectionString: migrated.url }))).toEqual([])
      const applied = await migrated.sql(`SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL ORDER BY 1`)
      expect(applied.map((r) => r.migration_name)).toEqual(committed('postgresql'))
    } finally {
      await migrated.cleanup()
      await fromSchema.drop()
    }
  })

  it('should let replicas starting at once on an empty database migrate it once, in turn', async () => {
    const empty = await createPgDatabase()
    try {
      const runs = await Promise.all([1, 2, 3].map(() => applyMigrations('postgresql', new PrismaPg({ connectionString: empty.url }))))
      expect(runs.map((names) => names.length).sort()).toEqual([0, 0, committed('postgresql').length])
      const applied = await empty.sql(`SELECT "migration_name" FROM "_prisma_migrations" ORDER BY 1`)
      expect(applied.map((r) => r.migration_name)).toEqual(committed('postgresql'))
    } finally {
      await empty.drop()
    }
  })
})
