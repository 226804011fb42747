import { spawnSync } from 'node:child_process'
import { request } from 'node:https'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNodeplanProcess, type NodeplanProcess } from '../support/nodeplan-process.js'

const BIN = fileURLToPath(new URL('../../bin/nodeplan.mjs', import.meta.url))

/** The embedded simulator's control endpoints; its CA is private to that process, so not verified here. */
function simControl(base: string, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
}

describe('nodeplan serve as a process, as `npm start` runs it', () => {
  let dir: string
  let np: NodeplanProcess | null = null

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nodeplan-serve-'))
  })
  afterAll(async () => {
    await np?.kill()
    rmSync(dir, { recursive: true, force: true })
  })

  it('starts on its embedded defaults with no kubeconfig anywhere, saying so on its first log line, and serves the simulated cluster', async () => {
    // HOME without ~/.kube/config, no KUBECONFIG, not in a cluster: the embedded simulator.
    np = await startNodeplanProcess(['--port', '0', '--database', `file:${join(dir, 'default.db')}`], { HOME: dir })
    const first = JSON.parse(np.lines[0]!)
    expect(first.level).toBe('warn')
    expect(first.msg).toMatch(/no kubeconfig found.*SIMULATED Run:ai cluster/)
    expect(np.lines.some((l) => l.includes('no tokens file'))).toBe(true)

    const res = await np.gql(`{ nodes { name roles workloads { kind } } }`)
    expect(res.status).toBe(200)
    expect(res.data.nodes).toHaveLength(10)
    expect(res.data.nodes.find((n: any) => n.name === 'sys-1').roles).toEqual(['SYSTEM'])
    expect(res.data.nodes.find((n: any) => n.name === 'gpu-1').workloads.length).toBeGreaterThan(0)
  })

  it('finishes a request in flight on SIGTERM, then exits 0', async () => {
    const planned = await np!.gql(`mutation { planDrain(input: {nodes: ["gpu-2"], reason: "shutdown test"}) { id } }`)
    const id = planned.data.planDrain.id
    // Slow the embedded cluster's node writes so the apply is still in flight when SIGTERM comes.
    await simControl(JSON.parse(np!.lines[0]!).simulator, '/_sim/faults', { latencyMs: 400, paths: '^/api/v1/nodes/' })
    const applying = np!.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id })
    let status = 'PENDING'
    while (status === 'PENDING') status = (await np!.gql(`query($id: ID!) { plan(id: $id) { status } }`, { id })).data.plan.status
    expect(status).toBe('APPLYING')
    np!.proc.kill('SIGTERM')
    const result = await applying
    expect(result.data.applyPlan.status).toBe('APPLIED')
    expect(await np!.exited).toBe(0)
    expect(np!.lines.some((l) => l.includes('shutting down'))).toBe(true)
    expect(np!.lines.at(-1)).toContain('"stopped"')
    np = null
  })

  it('refuses to start on bad configuration with exit code 2 and a message naming the setting', () => {
    const res = spawnSync(process.execPath, [BIN, 'serve', '--port', 'http'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir } })
    expect(res.status).toBe(2)
    expect(res.stderr).toMatch(/--port\/PORT must be a TCP port from 0 to 65535, got "http"/)
    expect(res.stderr).toMatch(/usage: nodeplan serve/)
  })
})
