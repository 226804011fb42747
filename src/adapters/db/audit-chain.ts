// The audit trail's hash chain: each event's hash covers the previous hash and the event's
// content, so editing, inserting or deleting a stored event breaks every link after it.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { AuditEvent } from '../../app/ports.js'

export const GENESIS_HASH = '0'.repeat(64)

/** What the hash covers: the event without its id and its own hashes. */
export type ChainedContent = Pick<AuditEvent, 'seq' | 'at' | 'actor' | 'action' | 'planId' | 'node' | 'detail'> & { cluster?: string | null }

/** JSON with object keys sorted at every depth, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

/** SHA-256 of the previous hash and the event: the chain without a key. */
export function eventHash(prevHash: string, event: ChainedContent): string {
  return createHash('sha256').update(prevHash).update(chainedText(event)).digest('hex')
}

function chainedText(event: ChainedContent): string {
  return canonicalJson({
    seq: event.seq,
    at: event.at.toISOString(),
    actor: event.actor,
    action: event.action,
    planId: event.planId,
    node: event.node,
    // Left out when null, so events from before clusters keep their hashes.
    cluster: event.cluster ?? undefined,
    detail: event.detail,
  })
}

/**
 * The audit key (NODEPLAN_AUDIT_KEY): with it, each event's hash is an HMAC and the head row
 * carries a MAC of the chain's end, so someone who can only write the database cannot recompute
 * the chain after an edit, nor move the head back after removing the newest events. Without it
 * the chain is plain SHA-256 and detects accidental damage only.
 */
export class ChainSeal {
  private readonly key: Buffer | null

  constructor(key: string | null) {
    this.key = key === null ? null : Buffer.from(key, 'utf8')
  }

  get keyed(): boolean {
    return this.key !== null
  }

  /** The hash an event appended now gets. */
  hashFor(prevHash: string, event: ChainedContent): string {
    return this.key ? keyedEventHash(this.key, prevHash, event) : eventHash(prevHash, event)
  }

  /**
   * How an event's stored hash was made: 'keyed' (an HMAC with this key, so nodeplan wrote it),
   * 'plain' (SHA-256: written without a key, or by anyone), or null when it matches neither.
   */
  provenance(prevHash: string, event: ChainedContent, hash: string): 'keyed' | 'plain' | null {
    if (this.key && safeEqual(keyedEventHash(this.key, prevHash, event), hash)) return 'keyed'
    return safeEqual(eventHash(prevHash, event), hash) ? 'plain' : null
  }

  /** The head row's MAC for a chain ending at (seq, hash); null without a key. */
  headMac(seq: number, hash: string): string | null {
    return this.key && createHmac('sha256', this.key).update(`nodeplan-audit-head\n${seq}\n${hash}`).digest('hex')
  }

  headMacHolds(seq: number, hash: string, mac: string | null): boolean {
    const expected = this.headMac(seq, hash)
    return expected !== null && mac !== null && safeEqual(expected, mac)
  }
}

function keyedEventHash(key: Buffer, prevHash: string, event: ChainedContent): string {
  return createHmac('sha256', key).update(prevHash).update(chainedText(event)).digest('hex')
}

function safeEqual(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))
}
