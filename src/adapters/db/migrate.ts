// Applies the committed migrations (prisma/migrations, prisma/postgres/migrations) at start-up,
// like `prisma migrate deploy`, through the wasm schema engine: applied ones are skipped.
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { loadMigrations, noFilters, openSchemaEngine, schemaPath } from './schema-engine.js'
import type { Provider } from './schema-engine.js'

/** Returns the names of the migrations it applied (none when the database is up to date). */
export async function applyMigrations(provider: Provider, factory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  if (provider === 'sqlite') return applyPending(provider, factory)
  // Replicas starting together take turns: the first applies, the others then find nothing to do.
  // (The engine has a lock of its own, but it polls for it: replicas would wait seconds.)
  const adapter = await factory.connect()
  const tx = await adapter.startTransaction()
  try {
    await tx.queryRaw({ sql: `SELECT 1 AS "locked" FROM pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`, args: [], argTypes: [] })
    return await applyPending(provider, factory)
  } finally {
    await tx.executeRaw({ sql: 'COMMIT', args: [], argTypes: [] }).catch(() => 0)
    await tx.commit()
    await adapter.dispose()
  }
}

/** An arbitrary constant: the key of nodeplan's migration advisory lock on PostgreSQL. */
const MIGRATION_LOCK_KEY = 7_201_026_001

async function applyPending(provider: Provider, factory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const migrations = loadMigrations(provider)
  // The engine opens SQLite with locking_mode=EXCLUSIVE, which fails while another process has
  // the file open; so it runs only when something is left to apply.
  const applied = await appliedMigrations(factory)
  if (migrations.migrationDirectories.every((m) => applied.has(m.path))) return []

  // Freeing the engine leaves its connections open (a SQLite one would keep its lock), so they are tracked and closed here.
  const opened: SqlDriverAdapter[] = []
  const track = (adapter: SqlDriverAdapter) => (opened.push(adapter), adapter)
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => track(await factory.connect()),
    connectToShadowDb: async () => track(await factory.connectToShadowDb()),
  }
  const engine = await openSchemaEngine(schemaPath(provider), tracking)
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList: migrations, filters: noFilters })
    return appliedMigrationNames
  } finally {
    engine.free()
    await Promise.all(opened.map((adapter) => adapter.dispose()))
  }
}

/** Names of the migrations recorded as finished; empty when the database has no migration table yet. */
async function appliedMigrations(factory: SqlMigrationAwareDriverAdapterFactory): Promise<Set<string>> {
  const adapter = await factory.connect()
  try {
    const result = await adapter.queryRaw({
      sql: 'SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL',
      args: [],
      argTypes: [],
    })
    return new Set(result.rows.map((row) => String(row[0])))
  } catch {
    return new Set()
  } finally {
    await adapter.dispose()
  }
}
