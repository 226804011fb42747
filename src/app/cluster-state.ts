import { NodeplanError } from '../domain/errors.js'
import type { ClusterCache } from './ports.js'

/** Refuses with KUBERNETES_UNAVAILABLE until the cache has the cluster's first lists. */
export function requireSynced(cache: Pick<ClusterCache, 'synced'>): void {
  if (!cache.synced()) {
    throw new NodeplanError('KUBERNETES_UNAVAILABLE', 'the cluster state has not been read yet: the Kubernetes API server has not answered; retry shortly and check /readyz')
  }
}
