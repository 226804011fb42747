// The clusters file (--clusters / NODEPLAN_CLUSTERS_FILE): the clusters one nodeplan serves, in
// the order the console and `clusters` list them. YAML or JSON (YAML reads JSON as it is).
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parse } from 'yaml'
import { isValidClusterName } from './domain/fleet.js'

export interface ClusterSource {
  name: string
  /** A kubeconfig file (relative paths from the clusters file's folder); null with inCluster or for the usual lookup (KUBECONFIG, ~/.kube/config). */
  kubeconfig: string | null
  /** A context of that kubeconfig; null: its current-context. */
  context: string | null
  /** The pod's own service account: the cluster nodeplan runs in. */
  inCluster: boolean
}

const KEYS = new Set(['name', 'kubeconfig', 'context', 'inCluster'])

/** Reads and checks the file; throws an Error naming the file, the entry and what is wrong. */
export function readClustersFile(path: string): ClusterSource[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new Error(`clusters file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  let raw: unknown
  try {
    raw = parse(text)
  } catch (err) {
    throw new Error(`clusters file ${path}: not YAML or JSON: ${(err as Error).message.split('\n')[0]}`)
  }
  return parseClusters(raw, `clusters file ${path}`, dirname(resolve(path)))
}

export function parseClusters(raw: unknown, origin: string, baseDir: string): ClusterSource[] {
  const list = Array.isArray(raw) ? raw : (raw as { clusters?: unknown } | null)?.clusters
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error(`${origin}: expected a non-empty list of clusters, each { name, kubeconfig?, context?, inCluster? }`)
  }
  const seen = new Set<string>()
  return list.map((entry: unknown, i) => {
    const where = `${origin}: entry ${i}`
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new Error(`${where}: expected { name, kubeconfig?, context?, inCluster? }`)
    const e = entry as Record<string, unknown>
    const unknown = Object.keys(e).filter((k) => !KEYS.has(k))
    if (unknown.length > 0) throw new Error(`${where}: unknown key "${unknown[0]}" (keys: name, kubeconfig, context, inCluster)`)
    if (typeof e.name !== 'string' || !isValidClusterName(e.name)) {
      throw new Error(`${where}: "name" must be 1-63 lowercase letters, digits and dashes (starting and ending with a letter or digit), got ${JSON.stringify(e.name)}`)
    }
    const name = e.name
    if (seen.has(name)) throw new Error(`${where}: the name "${name}" is given twice`)
    seen.add(name)
    const text = (key: 'kubeconfig' | 'context'): string | null => {
      const v = e[key]
      if (v === undefined || v === null) return null
      if (typeof v !== 'string' || v === '') throw new Error(`${where} (${name}): "${key}" must be a non-empty string`)
      return v
    }
    const kubeconfig = text('kubeconfig')
    const context = text('context')
    if (e.inCluster !== undefined && typeof e.inCluster !== 'boolean') throw new Error(`${where} (${name}): "inCluster" must be true or false`)
    const inCluster = e.inCluster === true
    if (inCluster && (kubeconfig || context)) throw new Error(`${where} (${name}): give either inCluster or a kubeconfig/context, not both`)
    if (!inCluster && !kubeconfig && !context) throw new Error(`${where} (${name}): give a kubeconfig (and optionally a context), a context of the usual kubeconfig, or inCluster: true`)
    if (inCluster && list.filter((other) => (other as Record<string, unknown>)?.inCluster === true).length > 1) {
      throw new Error(`${where} (${name}): only one cluster can be the one nodeplan runs in (inCluster)`)
    }
    return { name, kubeconfig: kubeconfig === null ? null : resolve(baseDir, kubeconfig), context, inCluster }
  })
}
