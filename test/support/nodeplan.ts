// Starts the simulated cluster and nodeplan in this process, on port 0, with a SQLite file in a
// temp dir; GraphQL goes over real HTTP. Close it in afterAll/afterEach.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseServeConfig } from '../../src/config.js'
import { createLogger, type Logger } from '../../src/logger.js'
import { startNodeplan, type NodeplanOverrides, type RunningNodeplan } from '../../src/main.js'
import { graphqlClient, type GraphQLResponse } from './graphql-client.js'
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js'


export interface TestNodeplan {
  url: string
  dir: string
  sim: RunningSimulator
  app: RunningNodeplan
  logs: string[]
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>
  close(): Promise<void>
}

export const TEST_TOKENS = {
  viewer: 'viewer-token-0123456789abcdef',
  operator: 'operator-token-0123456789abcdef',
  operator2: 'operator2-token-0123456789abcde',
  approver: 'approver-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef0123',
} as const

export interface TestNodeplanOptions {
  simulator?: SimulatorOptions
  /** Use a tokens file with the TEST_TOKENS (subjects: viewer, operator, operator2, approver, admin). */
  tokens?: boolean
  policy?: Record<string, unknown>
  /** The audit key, given as --audit-key-file. */
  auditKey?: string
  /** A webhooks file's content; `env` holds the secrets it names. */
  webhooks?: Record<string, unknown>
  overrides?: NodeplanOverrides
  /** Reuse a simulator (e.g. to restart nodeplan against the same cluster). */
  sim?: RunningSimulator
  dir?: string
  /** More `nodeplan serve` flags (e.g. ['--allowed-origins', 'http://127.0.0.1:9']). */
  args?: string[]
  /** Environment variables the configuration is read with (none by default). */
  env?: NodeJS.ProcessEnv
}

export async function startTestNodeplan(options: TestNodeplanOptions = {}): Promise<TestNodeplan> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'nodeplan-test-'))
  const ownSim = !options.sim
  const sim = options.sim ?? (await startSimulator({ port: 0, ...options.simulator }))
  const kubeconfig = join(dir, 'kubeconfig')
  writeFileSync(kubeconfig, sim.kubeconfig)
  const argv = ['--port', '0', '--database', `file:${join(dir, 'nodeplan.db')}`, '--kubeconfig', kubeconfig]
  if (options.tokens) {
    const file = join(dir, 'tokens.json')
    writeFileSync(
      file,
      JSON.stringify(Object.entries(TEST_TOKENS).map(([subject, token]) => ({ token, subject, role: subject.replace(/\d+$/, '') }))),
    )
    argv.push('--tokens', file, '--host', '127.0.0.1')
  }
  if (options.auditKey) {
    const file = join(dir, 'audit.key')
    writeFileSync(file, `${options.auditKey}\n`)
    argv.push('--audit-key-file', file)
  }
  if (options.policy) {
    const file = join(dir, 'policy.json')
    writeFileSync(file, JSON.stringify(options.policy))
    argv.push('--policy', file)
  }
  if (options.webhooks) {
    const file = join(dir, 'webhooks.json')
    writeFileSync(file, JSON.stringify(options.webhooks))
    argv.push('--webhooks', file)
  }
  argv.push(...(options.args ?? []))
  const logs: string[] = []
  const log: Logger = createLogger({ level: 'debug', write: (line) => logs.push(line) })
  // The downtime watcher runs only when a test calls check(): no wall-clock timer in tests.
  const app = await startNodeplan(parseServeConfig(argv, options.env ?? {}), { log, downtimeCheckIntervalMs: 0, planExpiryIntervalMs: 0, ...options.overrides })
  const url = app.url
  return {
    url,
    dir,
    sim,
    app,
    logs,
    gql: graphqlClient(url),
    async close() {
      await app.close()
      if (ownSim) await sim.close()
      if (!options.dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

export { code, graphqlClient, type GraphQLResponse } from './graphql-client.js'
