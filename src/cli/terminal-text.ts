// Whatever the server sends is printed only after passing through here: its database may hold
// text nodeplan would refuse today (edited rows, an older version), and a terminal obeys escape
// sequences and shows bidi-reordered or hidden text. Unsafe characters (src/domain/unsafe-text.ts)
// are shown escaped, as `\u{1b}`.
import { escapeUnsafe, replaceUnsafe } from '../domain/unsafe-text.js'

/** Fields that are multi-line text by design (the plan's diff): their newlines stay. */
const MULTI_LINE_FIELDS = new Set(['diff'])

/** Every string in `value` (objects and arrays walked, keys too) made safe to print. */
export function terminalSafe<T>(value: T, field?: string): T {
  if (typeof value === 'string') return escapeUnsafe(value, field !== undefined && MULTI_LINE_FIELDS.has(field) ? '\n' : '') as T
  if (Array.isArray(value)) return value.map((item) => terminalSafe(item)) as T
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [escapeUnsafe(key), terminalSafe(item, key)])) as T
  }
  return value
}

/**
 * `--output json`: the same characters written as JSON `\uXXXX` escapes, so the printed text is
 * safe and still parses back to exactly what the server sent. (JSON.stringify escapes only C0.)
 */
export function safeJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2)
  return replaceUnsafe(text, (ch) =>
    ch === '\n' ? ch : Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  )
}
