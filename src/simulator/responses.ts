// Writing answers: a JSON body whole, or a list an element at a time with the shared writer.
import type { ServerResponse } from 'node:http'
import { JsonList, writeJson } from '../server/json-stream.js'

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body)
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

/**
 * Writes `head` (an object) with `items` as its `key` field, each item rendered on its way out and
 * the socket's back-pressure respected, so a list of 100k objects never becomes one huge string.
 */
export function sendList<T>(res: ServerResponse, head: object, key: string, items: readonly T[], render: (item: T) => string): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json' })
  return writeJson(res, { ...head, [key]: new JsonList(items, render) })
}
