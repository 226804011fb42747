// Several simulated clusters (the simulator's fleet, each on a port of its own) and one nodeplan
// serving them all through a clusters file, in this process, with a SQLite file in a temp dir.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { parseServeConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { startNodeplan, type NodeplanOverrides, type RunningNodeplan } from '../../src/main.js'
import { fleetClusterName, startFleet, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js'
import { graphqlClient, type GraphQLResponse } from './graphql-client.js'
import { TEST_TOKENS } from './nodeplan.js'

/** TEST_TOKENS, an operator and an admin limited to each cluster (`${cluster}-operator`, `${cluster}-admin`), and `retired-operator`, limited to a cluster not served. */
export function fleetTokens(clusters: string[]): Record<string, { token: string; role: string; clusters?: string[] }> {
  const tokens: Record<string, { token: string; role: string; clusters?: string[] }> = {}
  for (const [subject, token] of Object.entries(TEST_TOKENS)) tokens[subject] = { token, role: subject.replace(/\d+$/, '') }
  for (const cluster of clusters) {
    for (const role of ['operator', 'admin']) tokens[`${cluster}-${role}`] = { token: `${cluster}-${role}-token-0123456789`, role, clusters: [cluster] }
  }
  // Limited to a cluster no server of the tests serves.
  tokens['retired-operator'] = { token: 'retired-operator-token-0123456789', role: 'operator', clusters: ['retired'] }
  return tokens
}

export interface TestFleet {
  url: string
  sims: Record<string, RunningSimulator>
  app: RunningNodeplan
  tokens: ReturnType<typeof fleetTokens>
  logs: string[]
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>
  /** Asks every cluster's API server now whether it answers (the periodic check is off in tests). */
  checkContact(): Promise<void>
  close(): Promise<void>
}

export async function startTestFleet(names: string[], options: { simulator?: SimulatorOptions; overrides?: NodeplanOverrides; policy?: Record<string, unknown> } = {}): Promise<TestFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'nodeplan-fleet-'))
  // One simulator process-part per cluster (sim-1…sim-N, one kubeconfig with a context each),
  // named in the clusters file as the test names them.
  const simulated = await startFleet({ clusters: names.length, port: 0, seed: 100, ...options.simulator })
  writeFileSync(join(dir, 'fleet.kubeconfig'), simulated.kubeconfig)
  const sims: Record<string, RunningSimulator> = {}
  const entries = names.map((name, i) => {
    sims[name] = simulated.clusters[i]!
    return { name, kubeconfig: 'fleet.kubeconfig', context: fleetClusterName(i + 1) }
  })
  writeFileSync(join(dir, 'clusters.yaml'), stringify(entries))
  const tokens = fleetTokens(names)
  writeFileSync(join(dir, 'tokens.json'), JSON.stringify(Object.entries(tokens).map(([subject, t]) => ({ subject, ...t }))))
  const argv = ['--port', '0', '--database', `file:${join(dir, 'nodeplan.db')}`, '--clusters', join(dir, 'clusters.yaml'), '--tokens', join(dir, 'tokens.json'), '--host', '127.0.0.1']
  if (options.policy) {
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(options.policy))
    argv.push('--policy', join(dir, 'policy.json'))
  }
  const logs: string[] = []
  const log = createLogger({ level: 'debug', write: (line) => logs.push(line) })
  const app = await startNodeplan(parseServeConfig(argv, {}), { log, downtimeCheckIntervalMs: 0, planExpiryIntervalMs: 0, contactCheckIntervalMs: 0, ...options.overrides })
  return {
    url: app.url,
    sims,
    app,
    tokens,
    logs,
    gql: graphqlClient(app.url),
    async checkContact() {
      await Promise.all(app.fleet.clusters.map((c) => c.contact.check()))
    },
    async close() {
      await app.close()
      await simulated.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
