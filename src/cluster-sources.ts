// Where each cluster's API server is (part of the composition root): the clusters file's entries,
// or without one the single cluster "default" from the usual kubeconfig lookup, or else the
// embedded simulator.
import type { KubeConfig } from '@kubernetes/client-node'
import { kubeConfigFromString, loadClusterKubeConfig, loadKubeConfig } from './adapters/kubernetes/kubeconfig.js'
import { ConfigError, type ServeConfig } from './config.js'
import { DEFAULT_CLUSTER } from './domain/fleet.js'
import type { Logger } from './logger.js'
import type { RunningSimulator } from './simulator/index.js'

export interface ClusterSources {
  clusters: { name: string; kc: KubeConfig }[]
  /** The clusters came from a clusters file (else: one cluster, "default"). */
  fromFile: boolean
  simulator: RunningSimulator | null
}

export async function clusterSources(config: ServeConfig, log: Logger): Promise<ClusterSources> {
  if (config.clusters) {
    const clusters = config.clusters.map((source) => {
      let kc: KubeConfig
      try {
        kc = loadClusterKubeConfig(source, { kubeconfigPath: config.kubeconfigPath })
      } catch (err) {
        throw new ConfigError(`clusters file: ${(err as Error).message}`)
      }
      log.info(`cluster "${source.name}": the Kubernetes cluster at ${kc.getCurrentCluster()?.server ?? '?'}`, { cluster: source.name, context: kc.getCurrentContext() })
      return { name: source.name, kc }
    })
    return { clusters, fromFile: true, simulator: null }
  }
  const found = loadKubeConfig({ kubeconfigPath: config.kubeconfigPath })
  if (found) {
    const { kc } = found
    log.info(`using the Kubernetes cluster at ${kc.getCurrentCluster()?.server ?? '?'} (kubeconfig from ${found.source})`, {
      context: kc.getCurrentContext(),
    })
    return { clusters: [{ name: DEFAULT_CLUSTER, kc }], fromFile: false, simulator: null }
  }
  const { startSimulator } = await import('./simulator/index.js')
  const simulator = await startSimulator({ port: 0 })
  log.warn(
    `no kubeconfig found (--kubeconfig, KUBECONFIG, ~/.kube/config, in-cluster): using the embedded SIMULATED Run:ai cluster at ${simulator.url}; nothing real is changed`,
    { simulator: simulator.url },
  )
  return { clusters: [{ name: DEFAULT_CLUSTER, kc: kubeConfigFromString(simulator.kubeconfig) }], fromFile: false, simulator }
}
