// Prints the SQL that creates a schema from nothing — or, given the schema as the previous migration
// left it, the SQL from that to the current one — without a database server or the native schema
// engine: `tsx scripts/migration-sql.ts [prisma/postgres/schema.prisma] [--from old-schema.prisma]`.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { mockAdapter } from '@prisma/driver-adapter-utils'
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { noFilters, openSchemaEngine } from '../src/adapters/db/schema-engine.js'

/** `from`: the content of the schema before this migration (default: an empty database). */
export async function migrationSql(schemaFile: string, from?: string): Promise<string> {
  const content = readFileSync(schemaFile, 'utf8')
  const isPg = /provider\s*=\s*"postgresql"/.test(content)
  // PostgreSQL needs no server: an adapter that answers every introspection query with nothing.
  const pg = { ...mockAdapter('postgres'), queryRaw: async () => ({ columnNames: [], columnTypes: [], rows: [] }), executeRaw: async () => 0 }
  const factory = isPg
    ? ({ provider: 'postgres', adapterName: '@prisma/adapter-pg', connect: async () => pg, connectToShadowDb: async () => pg } as unknown as SqlMigrationAwareDriverAdapterFactory)
    : new PrismaBetterSqlite3({ url: ':memory:' })
  const engine = await openSchemaEngine(schemaFile, factory)
  try {
    const { stdout } = await engine.diff({
      from: from === undefined ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: schemaFile, content: from }] },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaFile, content }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    })
    return stdout ?? ''
  } finally {
    engine.free()
  }
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const args = process.argv.slice(2)
  const at = args.indexOf('--from')
  const from = at >= 0 ? readFileSync(args.splice(at, 2)[1]!, 'utf8') : undefined
  process.stdout.write(await migrationSql(args[0] ?? 'prisma/schema.prisma', from))
}
