// `nodeplan simulator` as a real process: prints the URL, writes a working kubeconfig,
// stops cleanly on SIGTERM; bad flags exit 2.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseSimulatorFlags } from '../../src/simulator/simulator.command.js'

const dir = mkdtempSync(join(tmpdir(), 'nodeplan-simcmd-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function run(args: string[]) {
  const child = spawn(process.execPath, ['bin/nodeplan.mjs', 'simulator', ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c))
  child.stderr.on('data', (c: Buffer) => (stderr += c))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!)
    })
    child.on('exit', () => reject(new Error(`exited before printing a URL: ${stderr}`)))
  })
  firstLine.catch(() => {}) // only awaited by tests that expect a URL
  return { child, exited, firstLine, output: () => ({ stdout, stderr }) }
}

function get(url: string, ca: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('nodeplan simulator', () => {
  it('serves the cluster, writes the kubeconfig, and exits 0 on SIGTERM', async () => {
    const kubeconfigPath = join(dir, 'kubeconfig')
    const p = run(['--port', '0', '--kubeconfig-out', kubeconfigPath, '--gpu-nodes', '3', '--seed', '5'])
    const url = await p.firstLine
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const kubeconfig = readFileSync(kubeconfigPath, 'utf8')
    expect(kubeconfig).toContain(`server: ${url}`)
    const token = /token: (\S+)/.exec(kubeconfig)![1]!
    const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(kubeconfig)![1]!, 'base64').toString()
    const nodes = await get(`${url}/api/v1/nodes`, ca, token)
    expect(nodes.status).toBe(200)
    expect(JSON.parse(nodes.body).items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual([
      'cpu-1', 'cpu-2', 'gpu-1', 'gpu-2', 'gpu-3', 'sys-1', 'sys-2',
    ])
    p.child.kill('SIGTERM')
    expect(await p.exited).toBe(0)
  })

  it('refuses bad flags with a clear message and exit code 2', async () => {
    const p = run(['--gpu-nodes', 'many'])
    expect(await p.exited).toBe(2)
    expect(p.output().stderr).toContain('--gpu-nodes needs a non-negative integer, got "many"')
    const q = run(['--frobnicate'])
    expect(await q.exited).toBe(2)
    expect(q.output().stderr).toContain('unknown flag "--frobnicate"')
  })

  it.each([
    [['--port', '8443', '--seed=3'], { ok: true, options: { port: 8443, seed: 3 } }],
    [['--kubeconfig-out'], { ok: false, error: '--kubeconfig-out needs a file name' }],
    [['--port', '70000'], { ok: false, error: '--port must be at most 65535, got 70000' }],
  ])('parses %j', (argv, expected) => {
    expect(parseSimulatorFlags(argv)).toEqual(expected)
  })
})
