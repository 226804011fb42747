// Applies the committed migrations (prisma/migrations, prisma/postgres/migrations) at start-up,
// like `prisma migrate deploy`, through the wasm schema engine: applied ones are skipped.
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { loadMigrations, noFilters, openSchemaEngine, schemaPath } from './schema-engine.js'
import type { Provider } from './schema-engine.js'

/** Returns the names of the migrations it applied (none when the database is up to date). */
export async function applyMigrations(provider: Provider, factory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
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
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList: loadMigrations(provider), filters: noFilters })
    return appliedMigrationNames
  } finally {
    engine.free()
    await Promise.all(opened.map((adapter) => adapter.dispose()))
  }
}
