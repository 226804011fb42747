import { defineConfig } from 'prisma/config'

// Prisma's CLI otherwise tries to download a native schema engine, which this project
// never needs: migrations are produced and applied with the wasm engine (scripts/, src/adapters/db/).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= '/bin/false'

export default defineConfig({ schema: 'prisma/schema.prisma' })
