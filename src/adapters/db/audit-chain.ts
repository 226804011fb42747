// The audit trail's hash chain: each event's hash covers the previous hash and the event's
// content, so editing, inserting or deleting a stored event breaks every link after it.
import { createHash } from 'node:crypto'
import type { AuditEvent } from '../../app/ports.js'

export const GENESIS_HASH = '0'.repeat(64)

/** What the hash covers: the event without its id and its own hashes. */
export type ChainedContent = Pick<AuditEvent, 'seq' | 'at' | 'actor' | 'action' | 'planId' | 'node' | 'detail'>

/** JSON with object keys sorted at every depth, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

export function eventHash(prevHash: string, event: ChainedContent): string {
  const content = canonicalJson({
    seq: event.seq,
    at: event.at.toISOString(),
    actor: event.actor,
    action: event.action,
    planId: event.planId,
    node: event.node,
    detail: event.detail,
  })
  return createHash('sha256').update(prevHash).update(content).digest('hex')
}
