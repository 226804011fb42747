// `nodeplan simulator` in its own container (docker-compose.yml's simulator profile): it listens on
// every interface and hands out a kubeconfig naming the compose service, whose certificate holds.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { parseSimulatorFlags } from '../../src/simulator/simulator.command.js'

const BIN = fileURLToPath(new URL('../../bin/nodeplan.mjs', import.meta.url))

/** GET /version on 127.0.0.1:port, checking the certificate against `name` as a client of https://name:port would. */
function version(port: number, name: string, ca: string, token: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/version', servername: name, ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('nodeplan simulator --host --advertise-url', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodeplan-sim-container-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('should accept a listen address and an https advertise URL, and refuse anything else', () => {
    expect(parseSimulatorFlags(['--host', '0.0.0.0', '--advertise-url', 'https://simulator:6443'])).toEqual({
      ok: true,
      options: { host: '0.0.0.0', advertiseUrl: 'https://simulator:6443' },
    })
    expect(parseSimulatorFlags(['--advertise-url', 'http://simulator:6443'])).toMatchObject({ ok: false, error: expect.stringContaining('--advertise-url') })
    expect(parseSimulatorFlags(['--advertise-url', 'https://simulator:6443/api'])).toMatchObject({ ok: false })
    expect(parseSimulatorFlags(['--host'])).toMatchObject({ ok: false, error: expect.stringContaining('--host') })
  })

  it('should serve on every interface with a kubeconfig and a certificate for the advertised name', async () => {
    const kubeconfig = join(dir, 'kubeconfig')
    const child = spawn(process.execPath, [BIN, 'simulator', '--port', '0', '--host', '0.0.0.0', '--advertise-url', 'https://nodeplan-simulator', '--kubeconfig-out', kubeconfig], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    try {
      const [first] = await Promise.race([
        createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next().then((r) => [r.value as string]),
        exited.then((code) => Promise.reject(new Error(`simulator exited with ${code}`))),
      ])
      const url = new URL(first!.trim())
      expect(url.hostname).toBe('nodeplan-simulator')
      const port = Number(url.port)
      expect(port).toBeGreaterThan(0)

      const config = parse(readFileSync(kubeconfig, 'utf8'))
      const cluster = config.clusters[0].cluster
      expect(cluster.server).toBe(`https://nodeplan-simulator:${port}`)
      const ca = Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8')
      const token = config.users[0].user.token as string

      const answer = await version(port, 'nodeplan-simulator', ca, token)
      expect(answer.status).toBe(200)
      expect(answer.body.gitVersion).toMatch(/^v1\./)
      await expect(version(port, 'some-other-name', ca, token)).rejects.toThrow(/altnames|Hostname/i)
    } finally {
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    }
  })
})
