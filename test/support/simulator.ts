// Test set-up for anything that needs a cluster: a simulator on port 0 with its kubeconfig
// in a fresh temp dir, closed (and the dir removed) afterwards.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js'

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
