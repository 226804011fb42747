import { createHash, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { isValidClusterName } from './domain/fleet.js'

export type Role = 'viewer' | 'operator' | 'approver' | 'admin'
export const ROLES: readonly Role[] = ['viewer', 'operator', 'approver', 'admin']

export interface Principal {
  subject: string
  role: Role
  /** The clusters the token may use (tokens file `clusters`); absent or null: every cluster. */
  clusters?: readonly string[] | null
}

export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need)
}

/** The caller when no tokens file is configured: the server then listens on loopback only. */
export const LOCAL_ADMIN: Principal = { subject: 'local-admin', role: 'admin' }

/** Who a bearer token belongs to, or null for a token not known. */
export interface Authenticator {
  authenticate(token: string): Principal | null
}

interface TokenEntry {
  digest: Buffer
  principal: Principal
}

/**
 * Bearer tokens from a JSON file: [{"token": "...", "subject": "alice", "role": "operator", "clusters": ["train-eu"]}]
 * (`clusters` optional: without it the token may use every cluster).
 * Only SHA-256 digests are kept in memory, compared in constant time.
 */
export class TokenAuthenticator implements Authenticator {
  private constructor(private readonly entries: TokenEntry[]) {}

  static fromFile(path: string): TokenAuthenticator {
    let raw: unknown
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'))
    } catch (err) {
      throw new Error(`tokens file ${path}: ${(err as Error).message}`)
    }
    return TokenAuthenticator.fromEntries(raw, path)
  }

  static fromEntries(raw: unknown, origin = 'tokens'): TokenAuthenticator {
    if (!Array.isArray(raw) || raw.length === 0) {
      throw new Error(`${origin}: expected a non-empty JSON array of {"token", "subject", "role"}`)
    }
    const seen = new Set<string>()
    const entries = raw.map((entry, i) => {
      const { token, subject, role, clusters } = (entry ?? {}) as Record<string, unknown>
      const where = `${origin}: entry ${i}`
      if (typeof token !== 'string' || token.length < 16) throw new Error(`${where}: "token" must be a string of at least 16 characters`)
      if (typeof subject !== 'string' || !/^[A-Za-z0-9._@:-]{1,128}$/.test(subject)) {
        throw new Error(`${where}: "subject" must be 1-128 characters of letters, digits and . _ @ : -`)
      }
      if (!ROLES.includes(role as Role)) throw new Error(`${where}: "role" must be one of ${ROLES.join(', ')}`)
      if (subject === 'system') throw new Error(`${where}: the subject "system" is reserved for nodeplan's own plans`)
      if (clusters !== undefined && (!Array.isArray(clusters) || !clusters.every((c) => typeof c === 'string' && isValidClusterName(c)))) {
        throw new Error(`${where}: "clusters" must be a list of cluster names (lowercase letters, digits and dashes)`)
      }
      const digest = sha256(token)
      if (seen.has(digest.toString('hex'))) throw new Error(`${where}: duplicate token`)
      seen.add(digest.toString('hex'))
      const principal: Principal = clusters === undefined ? { subject, role: role as Role } : { subject, role: role as Role, clusters: Object.freeze([...(clusters as string[])]) }
      return { digest, principal }
    })
    return new TokenAuthenticator(entries)
  }

  authenticate(token: string): Principal | null {
    const digest = sha256(token)
    let found: Principal | null = null
    // Compare against every entry so the time taken does not depend on which one matches.
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, digest)) found = entry.principal
    }
    return found
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match ? match[1]! : null
}
