#!/usr/bin/env node
// One entry point for every command (serve, simulator, plan, apply, …). It runs the compiled
// sources in dist/ (npm run build; npm ci and npm start build them).
import { existsSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'

// graphql-js and Apollo Server skip their development-only checks in production mode.
process.env.NODE_ENV ??= 'production'
// Prisma plans queries with a 3 MB WebAssembly compiler. V8 would recompile its busiest functions
// with its optimising compiler, on background threads: that costs some 60 MB of memory that is
// never given back and slows the first queries on two cores, to speed up code that runs once per
// new query shape (plans are cached). Keep it on the baseline compiler. Set before Prisma loads;
// `node --wasm-tiering-budget=N bin/nodeplan.mjs` overrides it.
if (!process.execArgv.some((arg) => arg.startsWith('--wasm-tiering-budget'))) setFlagsFromString('--wasm-tiering-budget=2000000000')
const entry = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('nodeplan is not built: run `npm run build` (npm ci does it)\n')
  process.exit(2)
}
const { main } = await import(entry.href)
// Exit explicitly: every command has finished or closed what it opened by now, and a stray
// handle (a retry timer of a cluster that never answered) must not keep the process alive.
process.exit(await main(process.argv.slice(2)))
