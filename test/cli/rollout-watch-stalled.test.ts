// `nodeplan rollout status --watch` never waits forever on a subscription that went nowhere:
// behind a balancer whose second backend accepts connections and never answers, its websocket
// lands there; the CLI notices that its readings of the rollout move while nothing is delivered,
// says so, and follows the rollout from those readings to its end.
import { spawn } from 'node:child_process'
import net from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { BIN, type Run } from '../support/cli.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { rolloutDriver } from '../support/rollout.js'
import { startRoundRobinBalancer, type Balancer } from '../support/round-robin-balancer.js'
import { SIM_START, startTestCluster, type TestCluster } from '../support/simulator.js'

let cluster: TestCluster
let np: TestNodeplan
const r = rolloutDriver(() => np)
let silent: net.Server
let balancer: Balancer
const held: net.Socket[] = []

beforeAll(async () => {
  cluster = await startTestCluster({ startTime: SIM_START })
  np = await startTestNodeplan({ tokens: true, sim: cluster, overrides: { clock: cluster.sim.clock, rolloutIntervalMs: 0 } })
  silent = net.createServer((socket) => held.push(socket))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  balancer = await startRoundRobinBalancer([np.url, `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`])
})
afterAll(async () => {
  await balancer?.close()
  for (const s of held) s.destroy()
  await new Promise((resolve) => silent?.close(resolve))
  await np?.close()
  await cluster?.close()
})

const gql = (query: string, variables: Record<string, unknown> = {}, token: string = TEST_TOKENS.operator) => np.gql(query, variables, token)

it('falls back to reading the rollout when rolloutProgress stalls, says so, and still ends with it', async () => {
  const planned = await gql(`mutation { planRollout(input: { nodes: ["gpu-2"], reason: "stalled feed", completeOnReboot: false }) { id needsApproval } }`)
  const { id, needsApproval } = planned.data.planRollout as { id: string; needsApproval: boolean }
  if (needsApproval) await gql(`mutation($id: ID!) { approveRollout(id: $id) { id } }`, { id }, TEST_TOKENS.approver)
  await gql(`mutation($id: ID!) { startRollout(id: $id) { id } }`, { id })

  // The rollout moves on only once the watch has read it (a slow start must not find it over).
  let watched: () => void
  const watchStarted = new Promise<void>((resolve) => (watched = resolve))
  const watching = new Promise<Run>((resolve) => {
    const proc = spawn(process.execPath, [BIN, 'rollout', 'status', id, '--watch', '--no-color'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODEPLAN_URL: balancer.url, NODEPLAN_TOKEN: TEST_TOKENS.viewer },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    proc.stdout.on('data', (c) => {
      stdout += c
      if (stdout.includes(`Rollout ${id}: `)) watched()
    })
    proc.stderr.on('data', (c) => (stderr += c))
    proc.on('close', (code) => resolve({ code, stdout, stderr }))
  })
  await Promise.race([watchStarted, watching])
  await r.until(async () => expect((await r.get(id, TEST_TOKENS.viewer)).waves[0].nodes[0].stage).toBe('IN_MAINTENANCE'))
  await r.complete(id, 'gpu-2', TEST_TOKENS.operator)
  await r.until(async () => expect((await r.get(id, TEST_TOKENS.viewer)).status).toBe('COMPLETED'))

  const run = await watching
  // The websocket went to the silent backend: that is what this test is about.
  expect(held.length).toBeGreaterThan(0)
  expect(run, JSON.stringify(run)).toMatchObject({ code: 0 })
  expect(run.stderr).toBe(`nodeplan: live progress stalled; reading rollout ${id} every 2 s instead.\n`)
  expect(run.stdout.split('\n')).toContain(`rollout ${id}: COMPLETED`)
  expect(run.stdout).toContain(`Rollout ${id}: COMPLETED (1 wave)`)
}, 60_000)
