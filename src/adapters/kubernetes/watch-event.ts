// The name, namespace and resourceVersion of a DELETED watch event's object, read off the line
// without parsing the rest of it. A drain deletes thousands of pods; each DELETED event carries
// the pod's whole last state (kilobytes, most of it managedFields on a real API server), and
// the cache needs only which pod it was. Anything laid out unexpectedly gives null: parse it.

export interface DeletedObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string }
}

const PREFIX = '{"type":"DELETED","object":{'
const WANTED = new Set(['name', 'namespace', 'resourceVersion'])
const STRUCTURE = /["{}[\]]/g

export function deletedObject(line: string): DeletedObject | null {
  if (!line.startsWith(PREFIX)) return null
  const scan = new Scanner(line, PREFIX.length)
  // The object's own fields, up to metadata.
  for (;;) {
    const key = scan.key()
    if (key === null) return null
    if (key === 'metadata') break
    if (!scan.skipValue() || !scan.comma()) return null
  }
  if (!scan.take('{')) return null
  const metadata: Record<string, string> = {}
  let found = 0
  while (found < WANTED.size) {
    const key = scan.key()
    if (key === null) break
    if (WANTED.has(key) && scan.peek() === '"') {
      const value = scan.string()
      if (value === null) return null
      metadata[key] = value
      found++
    } else if (!scan.skipValue()) return null
    if (!scan.comma()) break
  }
  return metadata.name === undefined ? null : { metadata: metadata as DeletedObject['metadata'] }
}

class Scanner {
  constructor(
    private readonly text: string,
    private at: number,
  ) {}

  peek(): string {
    return this.text[this.at] ?? ''
  }

  take(char: string): boolean {
    if (this.text[this.at] !== char) return false
    this.at++
    return true
  }

  /** `,` before the next field: true; the end of the object or anything else: false. */
  comma(): boolean {
    return this.take(',')
  }

  /** `"key":`, or null. */
  key(): string | null {
    if (this.peek() !== '"') return null
    const key = this.string()
    return key !== null && this.take(':') ? key : null
  }

  /** A JSON string at the cursor, unescaped. */
  string(): string | null {
    const start = this.at
    const end = this.stringEnd(start)
    if (end < 0) return null
    this.at = end + 1
    const raw = this.text.slice(start + 1, end)
    if (!raw.includes('\\')) return raw
    try {
      return JSON.parse(this.text.slice(start, end + 1)) as string
    } catch {
      return null
    }
  }

  skipValue(): boolean {
    const first = this.peek()
    if (first === '"') return this.string() !== null
    if (first === '{' || first === '[') {
      // From one quote or bracket to the next: the text between them needs no look.
      let depth = 0
      STRUCTURE.lastIndex = this.at
      for (let m = STRUCTURE.exec(this.text); m; m = STRUCTURE.exec(this.text)) {
        const c = m[0]
        if (c === '"') {
          const end = this.stringEnd(m.index)
          if (end < 0) return false
          STRUCTURE.lastIndex = end + 1
          continue
        }
        depth += c === '{' || c === '[' ? 1 : -1
        if (depth === 0) {
          this.at = m.index + 1
          return true
        }
      }
      return false
    }
    // A number, true, false or null.
    const match = /^(?:-?[0-9][0-9.eE+-]*|true|false|null)/.exec(this.text.slice(this.at, this.at + 32))
    if (!match) return false
    this.at += match[0].length
    return true
  }

  /** Index of the closing quote of the string opening at `start`, or -1. */
  private stringEnd(start: number): number {
    let i = start + 1
    for (;;) {
      const quote = this.text.indexOf('"', i)
      if (quote < 0) return -1
      let slashes = 0
      for (let j = quote - 1; this.text[j] === '\\'; j--) slashes++
      if (slashes % 2 === 0) return quote
      i = quote + 1
    }
  }
}
