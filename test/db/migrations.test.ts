import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Sqlite from 'better-sqlite3'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { applyMigrations } from '../../src/adapters/db/migrate.js'
import { migrationsDir, noFilters, openSchemaEngine, schemaPath } from '../../src/adapters/db/schema-engine.js'
import { migrationSql } from '../../scripts/migration-sql.js'
import { backends, openTempDatabase } from './temp-database.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodeplan-migrate-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

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

/** The model and index blocks of a schema, without generator, datasource and comments. */
function models(file: string): string {
  const text = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '')
  return [...text.matchAll(/^model \w+ \{[^}]*\}/gm)].map((m) => m[0]).join('\n')
}

describe('migrations', () => {
  it('should create every table on a fresh SQLite file and do nothing when applied again', async () => {
    const url = join(dir, 'fresh.db')
    expect(await applyMigrations('sqlite', new PrismaBetterSqlite3({ url }))).toEqual(['0001_init'])
    expect(await applyMigrations('sqlite', new PrismaBetterSqlite3({ url }))).toEqual([])

    const sqlite = new Sqlite(url, { readonly: true })
    const tables = sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all()
    const applied = sqlite.prepare(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL`).pluck().all()
    sqlite.close()
    expect(tables).toEqual(expect.arrayContaining(['AuditEvent', 'AuditHead', 'NodeLock', 'Plan', 'PlanChange', 'PlanNode']))
    expect(applied).toEqual(['0001_init'])
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

  it('should match the committed PostgreSQL migration with SQL generated from prisma/postgres/schema.prisma', async () => {
    const committed = readFileSync(join(migrationsDir('postgresql'), '0001_init', 'migration.sql'), 'utf8')
    expect(await migrationSql(schemaPath('postgresql'))).toBe(committed)
  })

  it('should match the committed SQLite migration with SQL generated from prisma/schema.prisma', async () => {
    const committed = readFileSync(join(migrationsDir('sqlite'), '0001_init', 'migration.sql'), 'utf8')
    expect(await migrationSql(schemaPath('sqlite'))).toBe(committed)
  })

  it('should keep the same models in the SQLite and PostgreSQL schemas', () => {
    const sqliteModels = models(schemaPath('sqlite'))
    expect(sqliteModels).toContain('model AuditEvent {')
    expect(models(schemaPath('postgresql'))).toBe(sqliteModels)
  })
})

describe.each(backends.filter((b) => b === 'postgresql'))('migrations on a live %s server', (backend) => {
  it('should migrate a fresh database once, creating every table and index of the migration', async () => {
    const t = await openTempDatabase(backend) // openDatabase has applied the migrations
    try {
      expect(await applyMigrations('postgresql', new PrismaPg({ connectionString: t.url }))).toEqual([])
      expect((await t.sql(`SELECT "migration_name" FROM "_prisma_migrations"`)).map((r) => r.migration_name)).toEqual(['0001_init'])
      // (The wasm engine cannot introspect PostgreSQL through the adapter — "Column type 'char' could
      // not be deserialized" — so the live check is that every table and index of the migration exists.)
      const sql = readFileSync(join(migrationsDir('postgresql'), '0001_init', 'migration.sql'), 'utf8')
      const expectedTables = [...sql.matchAll(/CREATE TABLE "(\w+)"/g)].map((m) => m[1]).sort()
      const expectedIndexes = [...sql.matchAll(/CREATE (?:UNIQUE )?INDEX "(\w+)"/g)].map((m) => m[1]).sort()
      const tables = (await t.sql(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`)).map((r) => r.tablename).sort()
      const indexes = (await t.sql(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey'`)).map((r) => r.indexname).sort()
      expect(expectedIndexes.length).toBeGreaterThan(5)
      expect(tables).toEqual(expectedTables)
      expect(indexes).toEqual(expectedIndexes)
    } finally {
      await t.cleanup()
    }
  })

  it('should let replicas starting at once on an empty database migrate it once, in turn', async () => {
    const t = await openTempDatabase(backend)
    try {
      await t.sql(`DROP TABLE "AuditEvent", "AuditHead", "NodeLock", "PlanChange", "PlanNode", "Plan", "_prisma_migrations"`)
      const runs = await Promise.all([1, 2, 3].map(() => applyMigrations('postgresql', new PrismaPg({ connectionString: t.url }))))
      expect(runs.map((names) => names.length).sort()).toEqual([0, 0, 1])
      expect((await t.sql(`SELECT "migration_name" FROM "_prisma_migrations"`)).map((r) => r.migration_name)).toEqual(['0001_init'])
    } finally {
      await t.cleanup()
    }
  })
})
