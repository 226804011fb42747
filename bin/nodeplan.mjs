#!/usr/bin/env node
// One entry point for every command (serve, simulator, plan, apply, …). The TypeScript
// sources run through tsx's loader, so there is no separate build step to forget.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
