#!/usr/bin/env node
// One entry point for every command (serve, simulator, plan, apply, …). It runs the compiled
// sources in dist/ (npm run build; npm ci and npm start build them).
import { existsSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'

// graphql-js and Apollo Server skip their development-only checks in production mode.
process.env.NODE_ENV ??= 'production'
// Two V8 settings, first thing; either one given on the command line
// (`node --heap-growing-percent=N bin/nodeplan.mjs serve`) is left as given.
// - The service's heap may grow by half its live size between full collections, where V8 would
//   let it grow up to fourfold: at 5,000 nodes the cache is ~130 MB, and a few 13 MB `nodes`
//   answers in a row would take the process from under 300 MB to over 600 MB (BENCHMARKS.md).
// - Prisma plans queries with a 3 MB WebAssembly compiler, which V8 would recompile with its
//   optimising compiler on background threads: ~60 MB never given back, and slower first queries
//   on two cores, to speed up code that runs once per new query shape (plans are cached).
const v8Settings = [['--wasm-tiering-budget', 2_000_000_000], ...(process.argv[2] === 'serve' ? [['--heap-growing-percent', 50]] : [])]
for (const [flag, value] of v8Settings) {
  if (!process.execArgv.some((arg) => arg.startsWith(flag))) setFlagsFromString(`${flag}=${value}`)
}
const entry = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('nodeplan is not built: run `npm run build` (npm ci does it)\n')
  process.exit(2)
}
const { main } = await import(entry.href)
// A reader that stops early (`nodeplan history | head`) closes the pipe: stop quietly, as other
// command-line tools do. The long-running commands keep the default (a crash is worth seeing).
if (!['serve', 'simulator'].includes(process.argv[2])) {
  process.stdout.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err
    process.exit(0)
  })
}
const code = await main(process.argv.slice(2))
// Writes to a pipe are asynchronous: `nodeplan nodes | less` would lose all but the first 64 KB
// if the process exited now. A write's callback runs once everything before it is out.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))))
// Exit explicitly: every command has finished or closed what it opened by now, and a stray
// handle (a retry timer of a cluster that never answered) must not keep the process alive.
process.exit(code)
