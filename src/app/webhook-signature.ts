// Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>` with the webhook's secret, sent as
//   Nodeplan-Timestamp: <unix seconds>
//   Nodeplan-Signature: sha256=<lower-case hex>
// A receiver recomputes it over the raw body, compares in constant time, and refuses a timestamp
// too far from its clock (a replayed request carries an old one, and changing it breaks the HMAC).
import { createHmac, timingSafeEqual } from 'node:crypto'

export const TIMESTAMP_HEADER = 'nodeplan-timestamp'
export const SIGNATURE_HEADER = 'nodeplan-signature'
export const EVENT_ID_HEADER = 'nodeplan-event-id'
/** How far a receiver following this module lets a timestamp stray from its clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300

export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/** What a receiver does; nodeplan's tests receive with it, and the README shows it. */
export function verifySignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): { ok: true } | { ok: false; reason: string } {
  if (!headers.timestamp || !/^\d+$/.test(headers.timestamp)) return { ok: false, reason: 'no timestamp' }
  const timestamp = Number(headers.timestamp)
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: 'timestamp outside the tolerance (replay?)' }
  const expected = Buffer.from(signature(secret, timestamp, body))
  const given = Buffer.from(headers.signature ?? '')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature does not match' }
  return { ok: true }
}
