// 100,000 pods repeat a handful of namespaces, phases, scheduler names, label sets and
// toleration lists; JSON.parse gives every pod its own copies. The cache keeps one of each.

/** Canonical instances of equal values, up to `limit` distinct ones (then values pass through as they are). */
export class Interner<T> {
  private readonly seen = new Map<string, T>()

  constructor(private readonly limit: number) {}

  intern(key: string, value: T): T {
    const known = this.seen.get(key)
    if (known !== undefined) return known
    if (this.seen.size < this.limit) this.seen.set(key, value)
    return value
  }

  get size(): number {
    return this.seen.size
  }
}

const strings = new Interner<string>(50_000)
const lists = new Interner<readonly unknown[]>(5_000)
const records = new Interner<Readonly<Record<string, string>>>(50_000)

/** One shared copy of a short string. */
export function internString(value: string): string {
  return value.length > 128 ? value : strings.intern(value, value)
}

/** One shared, frozen copy of a list of plain data, e.g. a pod's tolerations. */
export function internList<T>(list: T[]): readonly T[] {
  return lists.intern(JSON.stringify(list), Object.freeze(list)) as readonly T[]
}

/** One shared, frozen copy of a label set, with its keys and values interned. */
export function internRecord(record: Record<string, string>): Readonly<Record<string, string>> {
  const keys = Object.keys(record)
  if (keys.length === 0) return EMPTY
  const copy: Record<string, string> = {}
  for (const key of keys) copy[internString(key)] = internString(record[key]!)
  return records.intern(JSON.stringify(copy), Object.freeze(copy))
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({})
