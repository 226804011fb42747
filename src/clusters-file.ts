// The clusters file (--clusters / NODEPLAN_CLUSTERS_FILE): the clusters one nodeplan serves, in
// the order the console and `clusters` list them. YAML or JSON (YAML reads JSON as it is),
// checked whole against a schema like the other input files (input-schema.ts).
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'
import { CLUSTER_NAME } from './domain/fleet.js'
import { parseInput, strictObject } from './input-schema.js'

export interface ClusterSource {
  name: string
  /** A kubeconfig file (relative paths from the clusters file's folder); null with inCluster or for the usual lookup (KUBECONFIG, ~/.kube/config). */
  kubeconfig: string | null
  /** A context of that kubeconfig; null: its current-context. */
  context: string | null
  /** The pod's own service account: the cluster nodeplan runs in. */
  inCluster: boolean
}

const text = z.string().min(1, 'must be a non-empty string')

const clusterSchema = strictObject(
  {
    name: z.string().regex(CLUSTER_NAME, 'must be 1-63 lowercase letters, digits and dashes, starting and ending with a letter or digit'),
    kubeconfig: text.optional(),
    context: text.optional(),
    inCluster: z.boolean('must be true or false').optional(),
  },
  'expected { name, kubeconfig?, context?, inCluster? }',
).superRefine((c, ctx) => {
  if (c.inCluster && (c.kubeconfig || c.context)) ctx.addIssue({ code: 'custom', message: 'give either inCluster or a kubeconfig/context, not both' })
  if (!c.inCluster && !c.kubeconfig && !c.context) ctx.addIssue({ code: 'custom', message: 'give a kubeconfig (and optionally a context), a context of the usual kubeconfig, or inCluster: true' })
})

const LIST = 'expected a non-empty list of clusters, each { name, kubeconfig?, context?, inCluster? }'

const clustersSchema = z
  .array(clusterSchema, LIST)
  .min(1, LIST)
  .superRefine((clusters, ctx) => {
    const seen = new Set<string>()
    clusters.forEach(({ name }, i) => {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${name}" is given twice` })
      seen.add(name)
    })
    if (clusters.filter((c) => c.inCluster).length > 1) ctx.addIssue({ code: 'custom', message: 'only one cluster can be the one nodeplan runs in (inCluster)' })
  })

/** Reads and checks the file; throws an Error naming the file, the entry and what is wrong. */
export function readClustersFile(path: string): ClusterSource[] {
  const origin = `clusters file ${path}`
  let content: string
  try {
    content = readFileSync(path, 'utf8')
  } catch (err) {
    throw new Error(`${origin}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  let raw: unknown
  try {
    raw = parse(content)
  } catch (err) {
    throw new Error(`${origin}: not YAML or JSON: ${(err as Error).message.split('\n')[0]}`)
  }
  // `clusters:` around the list is accepted too.
  const list = raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'clusters' in raw ? (raw as { clusters: unknown }).clusters : raw
  const baseDir = dirname(resolve(path))
  return parseInput(clustersSchema, list, origin).map((c) => ({
    name: c.name,
    kubeconfig: c.kubeconfig === undefined ? null : resolve(baseDir, c.kubeconfig),
    context: c.context ?? null,
    inCluster: c.inCluster ?? false,
  }))
}
