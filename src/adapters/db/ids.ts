import { randomBytes } from 'node:crypto'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'

/** Lower-case base32 (RFC 4648 alphabet): readable, URL-safe, no look-alike case pairs. */
function base32(length: number): string {
  const bytes = randomBytes(length)
  let out = ''
  for (const byte of bytes) out += ALPHABET[byte & 31]
  return out
}

/** e.g. plan-k3q7x2m4abcd (60 random bits) */
export const newPlanId = (): string => `plan-${base32(12)}`

export const newAuditEventId = (): string => `evt-${base32(16)}`

/** e.g. rollout-k3q7x2m4abcd */
export const newRolloutId = (): string => `rollout-${base32(12)}`
