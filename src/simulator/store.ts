// The simulator's object database: one store per resource type, a global resourceVersion
// counter (like etcd's revision), and a bounded event history per store for watches.
import type { ResourceType } from './resources.js'
import { alreadyExists, conflict, gone, notFound } from './status.js'

export interface ObjectMeta {
  name: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  creationTimestamp?: string
  generateName?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[]
  deletionTimestamp?: string
  [key: string]: unknown
}

/** A Kubernetes object as JSON. Stored objects are never mutated: every write stores a new one. */
export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata: ObjectMeta
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any
  [key: string]: unknown
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED'

export interface StoreEvent {
  type: EventType
  rv: number
  object: KubeObject
  /** The object before this event (for MODIFIED/DELETED), so a filtered watch can tell entering from leaving. */
  previous: KubeObject | null
}

export type Listener = (event: StoreEvent) => void

export const keyOf = (namespace: string | undefined, name: string): string => (namespace ? `${namespace}/${name}` : name)

export class Revision {
  private value = 0
  next(): number {
    return ++this.value
  }
  current(): number {
    return this.value
  }
}

export const DEFAULT_WATCH_HISTORY = 20_000

export class ResourceStore {
  private readonly objects = new Map<string, KubeObject>()
  private sorted: string[] | null = null
  private readonly history: StoreEvent[] = []
  private historyStart = 0
  /** Events at or below this revision are no longer in the history. */
  private compactedRv = 0
  private readonly listeners = new Set<Listener>()
  /** Optional secondary index, e.g. pods by spec.nodeName. */
  private readonly index = new Map<string, Set<string>>()

  constructor(
    readonly type: ResourceType,
    private readonly revision: Revision,
    private readonly indexKey?: (obj: KubeObject) => string | undefined,
    private readonly historyLimit = DEFAULT_WATCH_HISTORY,
  ) {}

  get size(): number {
    return this.objects.size
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(keyOf(namespace, name))
  }

  mustGet(namespace: string | undefined, name: string): KubeObject {
    const obj = this.get(namespace, name)
    if (!obj) throw notFound({ group: this.type.group, plural: this.type.plural }, name)
    return obj
  }

  /** Objects in key order (namespace/name), optionally within one namespace. */
  list(namespace?: string): KubeObject[] {
    this.sorted ??= [...this.objects.keys()].sort()
    const out: KubeObject[] = []
    if (namespace) {
      const prefix = `${namespace}/`
      let i = lowerBound(this.sorted, prefix)
      for (; i < this.sorted.length && this.sorted[i]!.startsWith(prefix); i++) out.push(this.objects.get(this.sorted[i]!)!)
    } else {
      for (const key of this.sorted) out.push(this.objects.get(key)!)
    }
    return out
  }

  /**
   * One page of a list: up to `limit` objects matching `match`, in key order, after the key
   * `after` (exclusive); `more` when another matching object follows. Stops at the page's end,
   * so paging through 100,000 pods costs each page its own length, not the whole list.
   */
  page(namespace: string | undefined, after: string | null, match: (obj: KubeObject) => boolean, limit: number): { items: KubeObject[]; more: boolean; rest: number } {
    this.sorted ??= [...this.objects.keys()].sort()
    const prefix = namespace ? `${namespace}/` : ''
    let i = lowerBound(this.sorted, after === null ? prefix : `${after}\u0000`)
    const items: KubeObject[] = []
    for (; i < this.sorted.length && this.sorted[i]!.startsWith(prefix); i++) {
      const obj = this.objects.get(this.sorted[i]!)!
      if (!match(obj)) continue
      if (items.length === limit) return { items, more: true, rest: this.sorted.length - i }
      items.push(obj)
    }
    return { items, more: false, rest: 0 }
  }

  /** Objects whose index key equals `value` (e.g. pods on one node), in key order. */
  byIndex(value: string): KubeObject[] {
    const keys = this.index.get(value)
    if (!keys) return []
    return [...keys].sort().map((k) => this.objects.get(k)!)
  }

  countByIndex(value: string): number {
    return this.index.get(value)?.size ?? 0
  }

  create(obj: KubeObject): KubeObject {
    const key = keyOf(obj.metadata.namespace, obj.metadata.name)
    if (this.objects.has(key)) throw alreadyExists({ group: this.type.group, plural: this.type.plural }, obj.metadata.name)
    const rv = this.revision.next()
    const stored = withRv(obj, rv)
    this.objects.set(key, stored)
    this.sorted = null
    this.indexAdd(key, stored)
    this.emit({ type: 'ADDED', rv, object: stored, previous: null })
    return stored
  }

  /** Replaces an object; `expectedRv` (when given) must match the stored one, else 409 Conflict. */
  update(obj: KubeObject, expectedRv?: string): KubeObject {
    const key = keyOf(obj.metadata.namespace, obj.metadata.name)
    const previous = this.objects.get(key)
    const resource = { group: this.type.group, plural: this.type.plural }
    if (!previous) throw notFound(resource, obj.metadata.name)
    if (expectedRv && expectedRv !== previous.metadata.resourceVersion) throw conflict(resource, obj.metadata.name)
    const rv = this.revision.next()
    const stored = withRv(obj, rv)
    this.objects.set(key, stored)
    this.indexRemove(key, previous)
    this.indexAdd(key, stored)
    this.emit({ type: 'MODIFIED', rv, object: stored, previous })
    return stored
  }

  delete(namespace: string | undefined, name: string): KubeObject {
    const key = keyOf(namespace, name)
    const previous = this.objects.get(key)
    if (!previous) throw notFound({ group: this.type.group, plural: this.type.plural }, name)
    this.objects.delete(key)
    this.sorted = null
    this.indexRemove(key, previous)
    const rv = this.revision.next()
    // A deleted object's last state carries the deletion's resourceVersion, as in etcd watches.
    const object = withRv(previous, rv)
    this.emit({ type: 'DELETED', rv, object, previous })
    return object
  }

  listen(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Events after `rv`; throws 410 Gone when they are no longer all in the history. */
  eventsSince(rv: number): StoreEvent[] {
    if (rv < this.compactedRv) {
      throw gone(`too old resource version: ${rv} (${this.compactedRv + 1})`)
    }
    const out: StoreEvent[] = []
    for (let i = this.historyStart; i < this.history.length; i++) {
      const e = this.history[i]!
      if (e.rv > rv) out.push(e)
    }
    return out
  }

  private emit(event: StoreEvent): void {
    this.history.push(event)
    if (this.history.length - this.historyStart > this.historyLimit) {
      this.compactedRv = this.history[this.historyStart]!.rv
      this.historyStart++
      if (this.historyStart > this.historyLimit) {
        this.history.splice(0, this.historyStart)
        this.historyStart = 0
      }
    }
    for (const listener of [...this.listeners]) listener(event)
  }

  private indexAdd(key: string, obj: KubeObject): void {
    const value = this.indexKey?.(obj)
    if (value === undefined) return
    let keys = this.index.get(value)
    if (!keys) this.index.set(value, (keys = new Set()))
    keys.add(key)
  }

  private indexRemove(key: string, obj: KubeObject): void {
    const value = this.indexKey?.(obj)
    if (value === undefined) return
    const keys = this.index.get(value)
    keys?.delete(key)
    if (keys?.size === 0) this.index.delete(value)
  }
}

function withRv(obj: KubeObject, rv: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } }
}

export function lowerBound(sorted: string[], value: string): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid]! < value) lo = mid + 1
    else hi = mid
  }
  return lo
}
