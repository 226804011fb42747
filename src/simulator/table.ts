// Server-side Table output (meta.k8s.io/v1), which kubectl prints as-is: the columns real
// API servers send for nodes and pods, NAME/AGE for the rest.
import { ROLE_PREFIX } from './seed.js'
import type { KubeObject } from './store.js'

interface Column {
  name: string
  type: string
  format: string
  description: string
  priority: number
}

const column = (name: string, type = 'string', priority = 0, format = ''): Column => ({ name, type, format, description: '', priority })

type CellFn = (obj: KubeObject, nowMs: number) => (string | number)[]

interface TableDefinition {
  columns: Column[]
  cells: CellFn
}

/** Kubernetes' duration.HumanDuration, as shown in the AGE column. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`
  if (minutes < 180) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`
  }
  return `${Math.floor(hours / 24 / 365)}y`
}

const age = (obj: KubeObject, nowMs: number): string =>
  obj.metadata.creationTimestamp ? humanDuration(nowMs - Date.parse(obj.metadata.creationTimestamp)) : '<unknown>'

export function nodeStatus(node: KubeObject): string {
  const ready = (node.status?.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === 'Ready')
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown']
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled')
  return parts.join(',')
}

export function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>()
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(ROLE_PREFIX)) roles.add(key.slice(ROLE_PREFIX.length))
    else if (key === 'kubernetes.io/role' && value) roles.add(value)
  }
  return roles.size ? [...roles].sort().join(',') : '<none>'
}

function address(node: KubeObject, type: string): string {
  return (node.status?.addresses as { type: string; address: string }[] | undefined)?.find((a) => a.type === type)?.address ?? '<none>'
}

function podStatus(pod: KubeObject): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating'
  const waiting = (pod.status?.containerStatuses as { state?: { waiting?: { reason?: string } } }[] | undefined)?.find((c) => c.state?.waiting?.reason)
  return waiting?.state?.waiting?.reason ?? pod.status?.reason ?? pod.status?.phase ?? 'Unknown'
}

const DEFINITIONS: Record<string, TableDefinition> = {
  nodes: {
    columns: [
      column('Name', 'string', 0, 'name'),
      column('Status'),
      column('Roles'),
      column('Age'),
      column('Version'),
      column('Internal-IP', 'string', 1),
      column('External-IP', 'string', 1),
      column('OS-Image', 'string', 1),
      column('Kernel-Version', 'string', 1),
      column('Container-Runtime', 'string', 1),
    ],
    cells: (n, now) => [
      n.metadata.name,
      nodeStatus(n),
      nodeRoles(n),
      age(n, now),
      n.status?.nodeInfo?.kubeletVersion ?? '',
      address(n, 'InternalIP'),
      address(n, 'ExternalIP'),
      n.status?.nodeInfo?.osImage ?? '<unknown>',
      n.status?.nodeInfo?.kernelVersion ?? '<unknown>',
      n.status?.nodeInfo?.containerRuntimeVersion ?? '<unknown>',
    ],
  },
  pods: {
    columns: [
      column('Name', 'string', 0, 'name'),
      column('Ready'),
      column('Status'),
      column('Restarts', 'string'),
      column('Age'),
      column('IP', 'string', 1),
      column('Node', 'string', 1),
      column('Nominated Node', 'string', 1),
      column('Readiness Gates', 'string', 1),
    ],
    cells: (p, now) => {
      const statuses = (p.status?.containerStatuses ?? []) as { ready?: boolean; restartCount?: number }[]
      const containers = (p.spec?.containers ?? []).length
      return [
        p.metadata.name,
        `${statuses.filter((s) => s.ready).length}/${containers}`,
        podStatus(p),
        String(statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0)),
        age(p, now),
        p.status?.podIP ?? '<none>',
        p.spec?.nodeName ?? '<none>',
        p.status?.nominatedNodeName ?? '<none>',
        '<none>',
      ]
    },
  },
  namespaces: {
    columns: [column('Name', 'string', 0, 'name'), column('Status'), column('Age')],
    cells: (ns, now) => [ns.metadata.name, ns.status?.phase ?? 'Active', age(ns, now)],
  },
  secrets: {
    columns: [column('Name', 'string', 0, 'name'), column('Type'), column('Data', 'string'), column('Age')],
    cells: (s, now) => [s.metadata.name, (s.type as string) ?? 'Opaque', String(Object.keys((s.data as object) ?? {}).length), age(s, now)],
  },
  configmaps: {
    columns: [column('Name', 'string', 0, 'name'), column('Data', 'string'), column('Age')],
    cells: (c, now) => [c.metadata.name, String(Object.keys((c.data as object) ?? {}).length), age(c, now)],
  },
  poddisruptionbudgets: {
    columns: [
      column('Name', 'string', 0, 'name'),
      column('Min Available'),
      column('Max Unavailable'),
      column('Allowed Disruptions', 'integer'),
      column('Age'),
    ],
    cells: (p, now) => [
      p.metadata.name,
      p.spec?.minAvailable !== undefined ? String(p.spec.minAvailable) : 'N/A',
      p.spec?.maxUnavailable !== undefined ? String(p.spec.maxUnavailable) : 'N/A',
      p.status?.disruptionsAllowed ?? 0,
      age(p, now),
    ],
  },
  daemonsets: {
    columns: ['Desired', 'Current', 'Ready', 'Up-to-date', 'Available'].reduce(
      (cols, name) => [...cols, column(name, 'integer')],
      [column('Name', 'string', 0, 'name')],
    ).concat([column('Node Selector'), column('Age')]),
    cells: (d, now) => [
      d.metadata.name,
      d.status?.desiredNumberScheduled ?? 0,
      d.status?.currentNumberScheduled ?? 0,
      d.status?.numberReady ?? 0,
      d.status?.updatedNumberScheduled ?? 0,
      d.status?.numberAvailable ?? 0,
      Object.entries(d.spec?.template?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>',
      age(d, now),
    ],
  },
}

const GENERIC: TableDefinition = {
  columns: [column('Name', 'string', 0, 'name'), column('Age')],
  cells: (o, now) => [o.metadata.name, age(o, now)],
}

export interface TableOptions {
  plural: string
  nowMs: number
  resourceVersion: string
  includeObject: 'None' | 'Metadata' | 'Object'
  continueToken?: string
  omitHeaders?: boolean
}

function rowObject(obj: KubeObject, include: TableOptions['includeObject']): unknown {
  if (include === 'None') return undefined
  if (include === 'Object') return obj
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata }
}

export function tableRow(plural: string, obj: KubeObject, options: Pick<TableOptions, 'nowMs' | 'includeObject'>): object {
  const def = DEFINITIONS[plural] ?? GENERIC
  const object = rowObject(obj, options.includeObject)
  return { cells: def.cells(obj, options.nowMs), ...(object ? { object } : {}) }
}

/** A Table document; `rows` are serialised by the caller so long lists can stream. */
export function tableHead(options: TableOptions): object {
  const def = DEFINITIONS[options.plural] ?? GENERIC
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: options.resourceVersion, ...(options.continueToken ? { continue: options.continueToken } : {}) },
    ...(options.omitHeaders ? {} : { columnDefinitions: def.columns }),
  }
}
