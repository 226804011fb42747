// A fleet: the clusters one nodeplan serves. Without a clusters file it is one cluster, "default".

export const DEFAULT_CLUSTER = 'default'

/** Cluster names: what Kubernetes allows in a label value's simplest form, so they fit metrics labels and URLs. */
export const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

export function isValidClusterName(name: string): boolean {
  return CLUSTER_NAME.test(name)
}
