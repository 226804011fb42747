// Where the cluster comes from, in kubectl's order: --kubeconfig, KUBECONFIG, ~/.kube/config,
// then the pod's service account. null means none: the service then runs the simulator.
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'

export type KubeConfigSource = 'flag' | 'env' | 'home' | 'in-cluster'

export interface LoadKubeConfigOptions {
  kubeconfigPath?: string | null
  env?: NodeJS.ProcessEnv
  homeDir?: string
  /** Where the service account token and CA are mounted in a pod. */
  serviceAccountDir?: string
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'

export function loadKubeConfig(opts: LoadKubeConfigOptions = {}): { kc: KubeConfig; source: KubeConfigSource } | null {
  const env = opts.env ?? process.env
  if (opts.kubeconfigPath) {
    if (!existsSync(opts.kubeconfigPath)) throw new Error(`kubeconfig ${opts.kubeconfigPath} (--kubeconfig) does not exist`)
    return { kc: fromFiles([opts.kubeconfigPath], '--kubeconfig'), source: 'flag' }
  }
  if (env.KUBECONFIG) {
    // A list, as kubectl reads it: files that exist are merged, the first one's current-context wins.
    const files = env.KUBECONFIG.split(path.delimiter).filter((f) => f && existsSync(f))
    if (files.length > 0) return { kc: fromFiles(files, 'KUBECONFIG'), source: 'env' }
  }
  const home = opts.homeDir ?? os.homedir()
  const homeConfig = path.join(home, '.kube', 'config')
  if (existsSync(homeConfig)) return { kc: fromFiles([homeConfig], homeConfig), source: 'home' }
  const inCluster = inClusterConfig(env, opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR)
  return inCluster ? { kc: inCluster, source: 'in-cluster' } : null
}

export function kubeConfigFromString(yaml: string): KubeConfig {
  const kc = new KubeConfig()
  kc.loadFromString(yaml)
  requireCluster(kc, 'kubeconfig')
  return kc
}

/** The API server URL and its CA (PEM; null when TLS is not verified), for a join command. */
export function clusterEndpoint(kc: KubeConfig): { server: string; caPem: string | null } {
  const cluster = kc.getCurrentCluster()
  if (!cluster) throw new Error('kubeconfig has no current cluster')
  let caPem: string | null = null
  if (cluster.caData) caPem = Buffer.from(cluster.caData, 'base64').toString('utf8')
  else if (cluster.caFile) caPem = readFileSync(cluster.caFile, 'utf8')
  return { server: cluster.server, caPem }
}

function fromFiles(files: string[], what: string): KubeConfig {
  const kc = new KubeConfig()
  kc.loadFromFile(files[0]!)
  for (const file of files.slice(1)) {
    const more = new KubeConfig()
    more.loadFromFile(file)
    kc.mergeConfig(more, true)
  }
  requireCluster(kc, what)
  return kc
}

function inClusterConfig(env: NodeJS.ProcessEnv, dir: string): KubeConfig | null {
  const host = env.KUBERNETES_SERVICE_HOST
  const port = env.KUBERNETES_SERVICE_PORT ?? '443'
  const tokenFile = path.join(dir, 'token')
  if (!host || !existsSync(tokenFile)) return null
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [{ name: 'in-cluster', server, caFile: path.join(dir, 'ca.crt'), skipTLSVerify: false }],
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
  })
  return kc
}

function requireCluster(kc: KubeConfig, what: string): void {
  if (!kc.getCurrentCluster()) {
    throw new Error(`${what}: no current cluster (current-context "${kc.getCurrentContext()}" is missing or names no cluster)`)
  }
}

/**
 * One cluster of the clusters file: its kubeconfig (or, without one, the usual lookup) at its
 * context, or the pod's service account. Throws when that gives no cluster.
 */
export function loadClusterKubeConfig(
  source: { name: string; kubeconfig: string | null; context: string | null; inCluster: boolean },
  opts: LoadKubeConfigOptions = {},
): KubeConfig {
  const what = `cluster "${source.name}"`
  if (source.inCluster) {
    const kc = inClusterConfig(opts.env ?? process.env, opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR)
    if (!kc) throw new Error(`${what}: inCluster, but this process runs in no pod (no KUBERNETES_SERVICE_HOST or service account token)`)
    return kc
  }
  const found = loadKubeConfig({ ...opts, kubeconfigPath: source.kubeconfig ?? opts.kubeconfigPath ?? null })
  if (!found || found.source === 'in-cluster') throw new Error(`${what}: no kubeconfig found for its context "${source.context}"`)
  const { kc } = found
  if (source.context) {
    if (!kc.getContextObject(source.context)) throw new Error(`${what}: the kubeconfig has no context "${source.context}"`)
    kc.setCurrentContext(source.context)
    requireCluster(kc, what)
  }
  return kc
}
