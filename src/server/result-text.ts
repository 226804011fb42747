// The JSON text of a GraphQL result, for Apollo's stringifyResult and the websocket's size bound:
// JSON.stringify's text, except that a list of kept element texts (JsonTexts, from the kept-text
// answers) is written as it is, not parsed back. At 5,000 nodes with workloads that list is 13 MB.
import type { GraphQLFormattedError } from 'graphql'
import { JsonTexts } from './json-stream.js'

/** The result's JSON text, or null when its UTF-8 would be longer than maxBytes. */
export function resultText(value: unknown, maxBytes = Infinity): string | null {
  const parts: string[] = []
  if (!write(value, parts, { left: maxBytes })) return null
  const text = parts.join('')
  // A UTF-16 code unit is at most 3 bytes of UTF-8: most answers need no count.
  if (text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes) return null
  return text
}

/** The error answered in place of a result larger than --max-response-mb, over HTTP and the websocket. */
export function tooLargeError(maxBytes: number): GraphQLFormattedError {
  return { message: `the answer is larger than ${maxBytes} bytes (--max-response-mb); ask for less`, extensions: { code: 'BAD_USER_INPUT' } }
}

/** Appends value's JSON text to parts; false once kept texts alone pass the budget (a string is never longer than its UTF-8). */
function write(value: unknown, parts: string[], budget: { left: number }): boolean {
  if (value instanceof JsonTexts) {
    for (const text of value.texts) budget.left -= text.length + 1
    if (budget.left < 0) return false
    parts.push('[')
    value.texts.forEach((text, i) => (i === 0 ? parts.push(text) : parts.push(',', text)))
    parts.push(']')
    return true
  }
  if (!isPlainObject(value)) {
    parts.push(JSON.stringify(value) ?? 'null')
    return true
  }
  let first = true
  parts.push('{')
  for (const key of Object.keys(value)) {
    const field = value[key]
    if (field === undefined || typeof field === 'function' || typeof field === 'symbol') continue
    parts.push(`${first ? '' : ','}${JSON.stringify(key)}:`)
    first = false
    if (!write(field, parts, budget)) return false
  }
  parts.push('}')
  return true
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function'
}
