// The read verbs: list (paged, by selector, as a Table) and watch, and the selectors they share.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { apiVersionOf, type ResourceType } from './resources.js'
import { sendList } from './responses.js'
import { matchesFields, parseFieldSelector, parseLabelSelector } from './selectors.js'
import type { Simulation } from './simulation.js'
import { badRequest } from './status.js'
import { keyOf, lowerBound, type KubeObject, type ResourceStore } from './store.js'
import { tableHead, tableRow } from './table.js'
import { serveWatch } from './watch.js'

export function wantsTable(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? ''
  return accept.split(',')[0]!.includes('as=Table')
}

function selectorFilter(url: URL, type: ResourceType): (obj: KubeObject) => boolean {
  const labels = parseLabelSelector(url.searchParams.get('labelSelector'))
  const fields = parseFieldSelector(url.searchParams.get('fieldSelector'), ['metadata.name', 'metadata.namespace', ...type.fields])
  return (obj) => labels.matches(obj.metadata.labels) && matchesFields(obj, fields)
}

/** Matching objects in key order; a `spec.nodeName=` selector on pods uses the node index. */
export function filtered(store: ResourceStore, namespace: string | undefined, url: URL, type: ResourceType): KubeObject[] {
  const match = selectorFilter(url, type)
  const fields = parseFieldSelector(url.searchParams.get('fieldSelector'), ['metadata.name', 'metadata.namespace', ...type.fields])
  const byNode = fields.find((f) => f.field === 'spec.nodeName' && f.equals && f.value !== '')
  const byName = fields.find((f) => f.field === 'metadata.name' && f.equals)
  let candidates: KubeObject[]
  if (byNode && type.plural === 'pods') candidates = store.byIndex(byNode.value)
  else if (byName && !type.namespaced) {
    const one = store.get(undefined, byName.value)
    candidates = one ? [one] : []
  } else candidates = store.list(namespace)
  const out: KubeObject[] = []
  for (const obj of candidates) {
    if (namespace && obj.metadata.namespace !== namespace) continue
    if (match(obj)) out.push(obj)
  }
  return out
}

export function serveList(req: IncomingMessage, res: ServerResponse, url: URL, store: ResourceStore, namespace: string | undefined, sim: Simulation): Promise<void> {
  const type = store.type
  const rv = String(sim.revision.current())
  const limit = Number(url.searchParams.get('limit') ?? 0)
  const cont = url.searchParams.get('continue')
  let after: string | null = null
  if (cont) {
    try {
      after = JSON.parse(Buffer.from(cont, 'base64').toString('utf8')).start as string
    } catch {
      throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)')
    }
  }
  let items: KubeObject[]
  let more = false
  let remaining: number | undefined
  const fields = parseFieldSelector(url.searchParams.get('fieldSelector'), ['metadata.name', 'metadata.namespace', ...type.fields])
  const indexed = fields.some((f) => f.equals && ((f.field === 'spec.nodeName' && f.value !== '' && type.plural === 'pods') || (f.field === 'metadata.name' && !type.namespaced)))
  if (limit > 0 && !indexed) {
    const selected = url.searchParams.has('labelSelector') || url.searchParams.has('fieldSelector')
    const page = store.page(namespace, after, selectorFilter(url, type), limit)
    items = page.items
    more = page.more
    // As the real API server does: a remaining count only where no selector makes it a guess.
    if (more && !selected && !namespace) remaining = page.rest
  } else {
    items = filtered(store, namespace, url, type)
    if (after !== null) {
      const keys = items.map((o) => keyOf(o.metadata.namespace, o.metadata.name))
      items = items.slice(lowerBound(keys, `${after}\u0000`))
    }
    if (limit > 0 && items.length > limit) {
      remaining = items.length - limit
      items = items.slice(0, limit)
      more = true
    }
  }
  let continueToken: string | undefined
  if (more) {
    const last = items[items.length - 1]!
    continueToken = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(rv), start: keyOf(last.metadata.namespace, last.metadata.name) })).toString('base64')
  }
  if (wantsTable(req)) return sendTable(res, type, items, sim, url, continueToken ?? null)
  const head = {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: { resourceVersion: rv, ...(continueToken ? { continue: continueToken, ...(remaining !== undefined ? { remainingItemCount: remaining } : {}) } : {}) },
  }
  return sendList(res, head, 'items', items, serialize)
}

// Stored objects are immutable, so each one's JSON can be kept until it is replaced.
const jsonCache = new WeakMap<KubeObject, string>()
function serialize(obj: KubeObject): string {
  let text = jsonCache.get(obj)
  if (text === undefined) {
    text = JSON.stringify(obj)
    // Only nodes are cached: few, listed often; caching 100k pods would double their memory.
    if (obj.kind === 'Node') jsonCache.set(obj, text)
  }
  return text
}

export function sendTable(res: ServerResponse, type: ResourceType, items: KubeObject[], sim: Simulation, url: URL, continueToken: string | null): Promise<void> {
  const include = (url.searchParams.get('includeObject') ?? 'Metadata') as 'None' | 'Metadata' | 'Object'
  const nowMs = sim.clock.nowMillis()
  const head = tableHead({ plural: type.plural, nowMs, resourceVersion: String(sim.revision.current()), includeObject: include, ...(continueToken ? { continueToken } : {}) })
  return sendList(res, head, 'rows', items, (o) => JSON.stringify(tableRow(type.plural, o, { nowMs, includeObject: include })))
}

export function watch(req: IncomingMessage, res: ServerResponse, url: URL, store: ResourceStore, namespace: string | undefined, sim: Simulation): void {
  const type = store.type
  const match = selectorFilter(url, type)
  const inNamespace = (o: KubeObject) => !namespace || o.metadata.namespace === namespace
  const table = wantsTable(req)
  const timeout = url.searchParams.get('timeoutSeconds')
  serveWatch(res, store, {
    resourceVersion: url.searchParams.get('resourceVersion'),
    matches: (o) => inNamespace(o) && match(o),
    sendInitialEvents: url.searchParams.get('sendInitialEvents') === 'true',
    allowBookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
    timeoutSeconds: timeout === null ? null : Number(timeout),
    initial: () => filtered(store, namespace, url, type),
    currentRv: () => sim.revision.current(),
    onTick: (listener) => sim.onTick(listener),
    kind: table ? 'Table' : type.kind,
    apiVersion: table ? 'meta.k8s.io/v1' : apiVersionOf(type),
    render: table
      ? (o) => {
          const nowMs = sim.clock.nowMillis()
          const head = tableHead({ plural: type.plural, nowMs, resourceVersion: o.metadata.resourceVersion ?? '', includeObject: 'Metadata' })
          return { ...head, rows: [tableRow(type.plural, o, { nowMs, includeObject: 'Metadata' })] }
        }
      : (o) => o,
  })
}
