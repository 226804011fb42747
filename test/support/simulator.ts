// Test set-up for anything that needs a cluster: a simulator on port 0 with its kubeconfig
// in a fresh temp dir, closed (and the dir removed) afterwards.
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFleet, startSimulator, type FleetOptions, type RunningFleet, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js'

export interface TestCluster extends RunningSimulator {
  kubeconfigPath: string
  /** A temp dir private to this cluster, removed on close. */
  dir: string
}

/** A fixed clock start for tests that compare ages or timestamps (pass it as `startTime`). */
export const SIM_START = new Date('2026-03-02T09:00:00Z')

export async function startTestCluster(options: SimulatorOptions = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'nodeplan-sim-'))
  const running = await startSimulator({ port: 0, seed: 7, kubeconfigOut: join(dir, 'kubeconfig'), ...options })
  return {
    ...running,
    kubeconfigPath: running.kubeconfigPath!,
    dir,
    close: async () => {
      await running.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface TestFleet extends RunningFleet {
  /** The fleet's kubeconfig: a context per cluster, sim-1…sim-N. */
  kubeconfigPath: string
  dir: string
}

/** N simulated clusters (sim-1…sim-N) on port 0, their kubeconfig in a fresh temp dir, removed on close. */
export async function startTestFleet(clusters: number, options: Omit<FleetOptions, 'clusters'> = {}): Promise<TestFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'nodeplan-fleet-'))
  const running = await startFleet({ port: 0, seed: 7, kubeconfigOut: join(dir, 'kubeconfig'), ...options, clusters })
  return {
    ...running,
    kubeconfigPath: running.kubeconfigPath!,
    dir,
    close: async () => {
      await running.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Calls a /_sim control endpoint over HTTPS (JSON in and out). */
export function simRoute(
  cluster: Pick<RunningSimulator, 'url' | 'caPem'>,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const text = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(
      `${cluster.url}${path}`,
      { method, ca: cluster.caPem, headers: text === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }))
      },
    )
    req.on('error', reject)
    req.end(text)
  })
}
