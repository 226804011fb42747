// 100,000 pods repeat a handful of namespaces, phases, scheduler names, owners, label sets and
// toleration lists; JSON.parse gives every pod its own copies. The cache keeps one of each.

/**
 * Canonical instances of equal values, in two generations of at most `limit` each: when the
 * young one is full it becomes the old one and the previous old one is dropped, so values no
 * pod mentions any more (pods come and go) are forgotten instead of filling the table for good.
 * A value found in the old generation moves back to the young one.
 */
export class Interner<K, T> {
  private young = new Map<K, T>()
  private old = new Map<K, T>()

  constructor(private readonly limit: number) {}

  /** The value kept under `key` if `same` accepts it, else `value` (kept from now on when the key is new). */
  intern(key: K, value: T, same: (kept: T, value: T) => boolean = () => true): T {
    let kept = this.young.get(key)
    if (kept !== undefined) return same(kept, value) ? kept : value
    kept = this.old.get(key)
    if (kept !== undefined && !same(kept, value)) return value
    if (this.young.size >= this.limit) {
      this.old = this.young
      this.young = new Map()
    }
    this.young.set(key, kept ?? value)
    return kept ?? value
  }

  get size(): number {
    return this.young.size + this.old.size
  }
}

// Small tables: what many pods share (namespaces, label keys, a workload's labels) is asked for
// again and again and stays; values of one pod each pass through.
const strings = new Interner<string, string>(16_384)
// Keyed by a hash of the content, not by a string of it: when every pod has labels of its own
// (a pod-name label, one workload per pod), a table of string keys would cost more than it saves.
const flats = new Interner<number, object>(16_384)
const lists = new Interner<number, readonly object[]>(5_000)

/** One shared copy of a short string. */
export function internString(value: string): string {
  return value.length > 128 ? value : strings.intern(value, value)
}

/** One shared, frozen copy of a list of flat objects, e.g. a pod's tolerations. */
export function internList<T extends object>(list: T[]): readonly T[] {
  let hash = OFFSET
  for (const item of list) hash = hashFlat(hash, item)
  return lists.intern(hash, Object.freeze(list), sameList) as readonly T[]
}

/** One shared, frozen copy of a label set, with its keys and values interned. */
export function internRecord(record: Record<string, string>): Readonly<Record<string, string>> {
  const copy: Record<string, string> = {}
  let empty = true
  for (const key in record) {
    copy[internString(key)] = internString(record[key]!)
    empty = false
  }
  return empty ? EMPTY : internFlat(copy)
}

/** One shared, frozen copy of a flat object of strings, numbers and booleans (e.g. an owner reference). */
export function internFlat<T extends object>(value: T): Readonly<T> {
  return flats.intern(hashFlat(OFFSET, value), Object.freeze(value), sameFlat) as Readonly<T>
}

// FNV-1a over the keys and values, with a separator after each.
const OFFSET = 0x811c9dc5

function hashFlat(hash: number, value: object): number {
  for (const key in value) hash = mix(mix(hash, key), String((value as Record<string, unknown>)[key]))
  return Math.imul(hash ^ 0xfe, 0x01000193)
}

function mix(hash: number, text: string): number {
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return Math.imul(hash ^ 0xff, 0x01000193)
}

function sameFlat(a: object, b: object): boolean {
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  let count = 0
  for (const key in x) {
    if (!(key in y) || x[key] !== y[key]) return false
    count++
  }
  for (const _ in y) count--
  return count === 0
}

function sameList(a: readonly object[], b: readonly object[]): boolean {
  return a.length === b.length && a.every((item, i) => sameFlat(item, b[i]!))
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({})
