import { readFileSync } from 'node:fs'

/** The web console's files, served as they are (plain ES modules, no build step). */
const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
}
for (const module of ['api', 'dom', 'format', 'dialog', 'plan-form', 'join', 'cluster-view', 'plan-summary', 'plan-view', 'plans-view', 'node-view', 'fleet-view', 'rollouts-view', 'rollout-view', 'rollout-waves', 'rollout-form']) {
  FILES[`${module}.js`] = 'text/javascript; charset=utf-8'
}

export const CONSOLE_PREFIX = '/console/'

const cache = new Map<string, Buffer>()

/** A file of the console by name, or null for anything not in the list. */
export function consoleAsset(name: string): { body: Buffer; type: string } | null {
  const type = FILES[name]
  if (!type) return null
  let body = cache.get(name)
  if (!body) {
    body = readFileSync(new URL(`./static/${name}`, import.meta.url))
    cache.set(name, body)
  }
  return { body, type }
}
