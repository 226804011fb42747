// The simulated cluster in its own process for the adapter benchmarks (so that its CPU and
// memory are not counted as ours, and kubectl and nodeplan talk to the same server).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import https from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

export interface SimulatorProcess {
  url: string
  kubeconfigPath: string
  dir: string
  /** POST /_sim/faults */
  setFaults(faults: Record<string, unknown>): Promise<void>
  stop(): Promise<void>
}

export const SCALE = ['--system-nodes', '10', '--gpu-nodes', '4900', '--cpu-nodes', '90', '--pods-per-gpu-node', '18']

export async function startSimulatorProcess(args: string[]): Promise<SimulatorProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'nodeplan-apply-bench-'))
  const kubeconfigPath = join(dir, 'kubeconfig')
  const child: ChildProcess = spawn(process.execPath, ['bin/nodeplan.mjs', 'simulator', '--port', '0', '--kubeconfig-out', kubeconfigPath, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)))
  })
  return {
    url,
    kubeconfigPath,
    dir,
    setFaults: (faults) =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify(faults)
        const req = https.request(`${url}/_sim/faults`, { method: 'POST', rejectUnauthorized: false, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
          res.resume()
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`/_sim/faults: ${res.statusCode}`))))
        })
        req.on('error', reject)
        req.end(body)
      }),
    stop: async () => {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6
export const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`
export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}
