#!/usr/bin/env node
// One entry point for every command (serve, simulator, plan, apply, …). The TypeScript
// sources run through tsx's loader, so there is no separate build step to forget.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/main.ts')
// Exit explicitly: every command has finished or closed what it opened by now, and a stray
// handle (a retry timer of a cluster that never answered) must not keep the process alive.
process.exit(await main(process.argv.slice(2)))
