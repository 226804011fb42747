// `nodeplan apply` never waits forever for its live progress: behind a balancer whose second
// backend accepts connections and never answers (a replica hung, or gone while the socket stays),
// the progress websocket lands there; the CLI finishes from the applied plan and says so.
import { spawn } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { startRoundRobinBalancer, type Balancer } from '../support/round-robin-balancer.js'

const BIN = fileURLToPath(new URL('../../bin/nodeplan.mjs', import.meta.url))

let np: TestNodeplan
let silent: net.Server
let balancer: Balancer
const held: net.Socket[] = []

beforeAll(async () => {
  np = await startTestNodeplan({ tokens: true })
  silent = net.createServer((socket) => held.push(socket))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  balancer = await startRoundRobinBalancer([np.url, `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`])
})
afterAll(async () => {
  await balancer?.close()
  for (const s of held) s.destroy()
  await new Promise((resolve) => silent?.close(resolve))
  await np?.close()
})

it('falls back to the applied plan when the progress subscription stalls, and says so', async () => {
  const planned = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-2"], reason: "stalled feed"}) { id changes { address } } }`, {}, TEST_TOKENS.operator)
  const { id, changes } = planned.data.planDrain as { id: string; changes: { address: string }[] }
  const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const proc = spawn(process.execPath, [BIN, 'apply', id, '--auto-approve', '--no-color'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODEPLAN_URL: balancer.url, NODEPLAN_TOKEN: TEST_TOKENS.operator },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    proc.stdout.on('data', (c) => (stdout += c))
    proc.stderr.on('data', (c) => (stderr += c))
    proc.on('close', (code) => resolve({ code, stdout, stderr }))
  })
  // The websocket went to the silent backend: that is what this test is about.
  expect(held.length).toBeGreaterThan(0)
  expect(run, JSON.stringify(run)).toMatchObject({ code: 0 })
  expect(run.stderr).toBe(`nodeplan: live progress stalled; the changes below are read from plan ${id}.\n`)
  expect(run.stdout.split('\n')).toContain(`${changes[0]!.address}: applied`)
  expect(run.stdout).toContain(`Plan ${id} is APPLIED.`)
}, 30_000)
