// One nodeplan replica in its own process — startNodeplan, exactly what `nodeplan serve` runs — with
// its apply-lease clock in the test's hands. argv: database URL, kubeconfig, tokens file, owner id.
// Prints {"url": …} once serving, then answers one JSON line per stdin command:
// {"op":"advance","ms":n} moves the lease clock | {"op":"sweep"} takes over expired plans now.
import 'reflect-metadata'
import { createInterface } from 'node:readline'
import { parseServeConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { startNodeplan } from '../../src/main.js'

const [database, kubeconfig, tokens, owner] = process.argv.slice(2) as [string, string, string, string]
const LEASE_MS = 30_000 // replicas.test.ts advances past it
let now = Date.now()
const config = parseServeConfig(['--port', '0', '--host', '127.0.0.1', '--database', database, '--kubeconfig', kubeconfig, '--tokens', tokens, '--apply-parallelism', '1'], {})
const app = await startNodeplan(config, {
  log: createLogger({ level: 'info', write: (line) => process.stderr.write(line), base: { replica: owner } }),
  apply: { owner, leaseMs: LEASE_MS, clock: { now: () => new Date(now) } },
  leaseSweepIntervalMs: 0,
  downtimeCheckIntervalMs: 0,
})
process.stdout.write(JSON.stringify({ url: app.url }) + '\n')

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { op: string; ms?: number }
  try {
    let result: unknown
    if (command.op === 'advance') result = (now += command.ms!)
    else if (command.op === 'sweep') result = (await app.services.resumer.sweep()).map((plan) => ({ id: plan.id, status: plan.status }))
    else throw new Error(`unknown op ${command.op}`)
    process.stdout.write(JSON.stringify({ result }) + '\n')
  } catch (error) {
    process.stdout.write(JSON.stringify({ error: String(error) }) + '\n')
  }
}
await app.close()
