// A long retry is not silent: while the Kubernetes API answers 500 to a node's writes (the
// simulator's fault injection), `nodeplan apply` prints that the change is being retried, then
// that it was applied once the API answers again.
import { spawn } from 'node:child_process'
import { request } from 'node:https'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { BIN, cliEnv, type Run } from '../support/cli.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

let np: TestNodeplan

beforeAll(async () => {
  np = await startTestNodeplan({ tokens: true })
})
afterAll(() => np?.close())

function setFaults(method: 'POST' | 'DELETE', body?: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${np.sim.url}/_sim/faults`, { method, ca: np.sim.caPem, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(body ? JSON.stringify(body) : undefined)
  })
}

it('prints each retry of a change as it happens, then the change applied', async () => {
  const planned = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-2"], reason: "retry shown"}) { id changes { address } } }`, {}, TEST_TOKENS.operator)
  const { id, changes } = planned.data.planDrain as { id: string; changes: { address: string }[] }
  const address = changes[0]!.address
  // Only this node's own path: the informer's list and watch of all nodes keep working.
  expect(await setFaults('POST', { errorRate: 1, errorStatus: 500, paths: '^/api/v1/nodes/gpu-2' })).toBe(200)

  const run = await new Promise<Run>((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, 'apply', id, '--auto-approve', '--no-color'], { env: cliEnv(np.url, TEST_TOKENS.operator), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let cleared = false
    proc.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
      // The API server is back once the operator saw the retry.
      if (!cleared && stdout.includes(`${address}: retrying`)) {
        cleared = true
        setFaults('DELETE').catch(reject)
      }
    })
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    proc.on('error', reject)
    proc.on('close', (code) => resolve({ code, stdout, stderr }))
  })

  expect(run, JSON.stringify(run)).toMatchObject({ code: 0, stderr: '' })
  const lines = run.stdout.split('\n')
  const retries = lines.filter((l) => l.startsWith(`${address}: retrying`))
  expect(retries.length).toBeGreaterThan(0)
  for (const line of retries) {
    expect(line).toMatch(/^\S+: retrying \(attempt \d+, giving up at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\): 500 .*InternalError/)
  }
  const attempts = retries.map((l) => Number(/attempt (\d+)/.exec(l)![1]))
  expect(attempts[0]).toBeGreaterThanOrEqual(2)
  expect(attempts).toEqual([...attempts].sort((a, b) => a - b))
  const applied = lines.indexOf(`${address}: applied`)
  expect(applied).toBeGreaterThan(lines.indexOf(retries.at(-1)!))
  expect(lines.filter((l) => l === `${address}: applied`)).toHaveLength(1)
  expect(run.stdout).toContain(`Plan ${id} is APPLIED.`)

  // The stored change keeps the last retry; the feed read after the apply reports it applied, not retrying.
  const after = await np.gql(`query($id: ID!) { plan(id: $id) { status changes { address applied error } } }`, { id }, TEST_TOKENS.viewer)
  expect(after.data.plan).toMatchObject({ status: 'APPLIED', changes: [{ address, applied: true, error: null }] })
}, 30_000)
