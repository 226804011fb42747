// Several simulated clusters from one process (`nodeplan simulator --clusters N`): sim-1…sim-N,
// each its own API server, port, CA, token and seed, and one kubeconfig with a context per cluster.
// Any cluster's /_sim/clusters routes can take any cluster of the fleet off the network and back.
import { writeFile } from 'node:fs/promises'
import { startMember, type RunningSimulator, type SimulatorOptions } from './cluster-server.js'
import { multiKubeconfigYaml } from './kubeconfig.js'

export interface FleetOptions extends Omit<SimulatorOptions, 'name' | 'kubeconfigOut' | 'advertiseUrl'> {
  clusters: number
  /** Write the fleet's kubeconfig (a context per cluster, sim-1 current) to this file. */
  kubeconfigOut?: string
}

export interface RunningFleet {
  clusters: RunningSimulator[]
  /** One kubeconfig, a context per cluster, named as the cluster. */
  kubeconfig: string
  kubeconfigPath: string | null
  cluster(name: string): RunningSimulator
  close(): Promise<void>
}

export const MAX_CLUSTERS = 100

export const fleetClusterName = (i: number): string => `sim-${i}`

/**
 * Starts `clusters` simulated clusters. With a fixed `port` P they listen on P, P+1, …; with 0,
 * each on a free port. Cluster i is seeded with `seed + i - 1`: the same shape, different workloads.
 */
export async function startFleet(options: FleetOptions): Promise<RunningFleet> {
  const { clusters: count, kubeconfigOut, ...shared } = options
  if (!Number.isInteger(count) || count < 1 || count > MAX_CLUSTERS) throw new RangeError(`clusters must be 1 to ${MAX_CLUSTERS}, got ${count}`)
  const members: RunningSimulator[] = []
  try {
    for (let i = 1; i <= count; i++) {
      members.push(
        await startMember(
          {
            ...shared,
            name: fleetClusterName(i),
            port: shared.port ? shared.port + i - 1 : 0,
            seed: (shared.seed ?? 1) + i - 1,
          },
          () => members,
        ),
      )
    }
  } catch (e) {
    await Promise.all(members.map((m) => m.close()))
    throw e
  }
  const kubeconfig = multiKubeconfigYaml(members.map((m) => ({ name: m.name, server: m.url, caPem: m.caPem, token: m.token })))
  if (kubeconfigOut) await writeFile(kubeconfigOut, kubeconfig, { mode: 0o600 })
  return {
    clusters: members,
    kubeconfig,
    kubeconfigPath: kubeconfigOut ?? null,
    cluster: (name) => {
      const found = members.find((m) => m.name === name)
      if (!found) throw new Error(`no cluster "${name}" in the fleet (there are: ${members.map((m) => m.name).join(', ')})`)
      return found
    },
    close: async () => {
      await Promise.all(members.map((m) => m.close()))
    },
  }
}
