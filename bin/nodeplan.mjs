#!/usr/bin/env node
// One entry point for every command (serve, simulator, plan, apply, …). It runs the compiled
// sources in dist/ (npm run build; npm ci and npm start build them).
import { existsSync } from 'node:fs'

// graphql-js and Apollo Server skip their development-only checks in production mode.
process.env.NODE_ENV ??= 'production'
const entry = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('nodeplan is not built: run `npm run build` (npm ci does it)\n')
  process.exit(2)
}
const { main } = await import(entry.href)
// Exit explicitly: every command has finished or closed what it opened by now, and a stray
// handle (a retry timer of a cluster that never answered) must not keep the process alive.
process.exit(await main(process.argv.slice(2)))
