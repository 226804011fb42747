// Prisma's schema engine as WebAssembly, driven through a driver adapter: migrations are
// generated and applied without the native engine binary (which would need a download).
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg'
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils'
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'

export type SchemaEngine = bg.SchemaEngine
export type Provider = 'sqlite' | 'postgresql'

/** The repository root (holds prisma/). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

export function schemaPath(provider: Provider): string {
  return join(projectRoot, provider === 'sqlite' ? 'prisma/schema.prisma' : 'prisma/postgres/schema.prisma')
}

export function migrationsDir(provider: Provider): string {
  return join(dirname(schemaPath(provider)), 'migrations')
}

// The project's lib settings (ES2023, no DOM) do not declare WebAssembly; this is the part used.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: Record<string, unknown> }
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly

let instantiated = false

// A plain import of the package fails on Node 20 (it imports the .wasm file), so the module is
// instantiated by hand, once per process.
function instantiate(): void {
  if (instantiated) return
  const bgJs = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg')
  const module = new WebAssembly.Module(readFileSync(join(dirname(bgJs), 'schema_engine_bg.wasm')))
  const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': bg })
  bg.__wbg_set_wasm(instance.exports)
  ;(instance.exports as unknown as { __wbindgen_start(): void }).__wbindgen_start()
  instantiated = true
}

export async function openSchemaEngine(schemaFile: string, factory: SqlMigrationAwareDriverAdapterFactory): Promise<SchemaEngine> {
  instantiate()
  const content = readFileSync(schemaFile, 'utf8')
  return bg.SchemaEngine.new({ datamodels: [[schemaFile, content]] }, () => {}, bindMigrationAwareSqlAdapterFactory(factory))
}

export const noFilters = { externalTables: [], externalEnums: [] }

/** The committed migrations of a provider, as the engine's applyMigrations wants them. */
export function loadMigrations(provider: Provider): bg.MigrationList {
  const baseDir = migrationsDir(provider)
  const lockPath = join(baseDir, 'migration_lock.toml')
  const directories = readdirSync(baseDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(baseDir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: directories.map((name) => ({
      path: name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok' as const, value: readFileSync(join(baseDir, name, 'migration.sql'), 'utf8') } },
    })),
  }
}
