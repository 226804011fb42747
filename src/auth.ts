import { createHash, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import { CLUSTER_NAME } from './domain/fleet.js'
import { parseInput, readJsonFile } from './input-schema.js'

export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const
export type Role = (typeof ROLES)[number]

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

/** The tokens file: [{"token": "...", "subject": "alice", "role": "operator"}, ...]. */
const tokensSchema = z
  .array(
    z.object(
      {
        token: z.string().min(16, 'must be a string of at least 16 characters'),
        subject: z
          .string()
          .regex(/^[A-Za-z0-9._@:-]{1,128}$/, 'must be 1-128 characters of letters, digits and . _ @ : -')
          .refine((subject) => subject !== 'system', 'the subject "system" is reserved for nodeplan\'s own plans'),
        role: z.enum(ROLES, `must be one of ${ROLES.join(', ')}`),
        clusters: z.array(z.string().regex(CLUSTER_NAME), 'must be a list of cluster names (lowercase letters, digits and dashes)').optional(),
      },
      'expected an object {"token", "subject", "role"}',
    ),
    'expected a non-empty JSON array of {"token", "subject", "role"}',
  )
  .min(1, 'expected a non-empty JSON array of {"token", "subject", "role"}')
  .superRefine((entries, ctx) => {
    const seen = new Set<string>()
    entries.forEach(({ token }, i) => {
      if (seen.has(token)) ctx.addIssue({ code: 'custom', path: [i], message: 'duplicate token' })
      seen.add(token)
    })
  })

/**
 * `clusters` (optional) limits a token to those clusters.
 * Bearer tokens from a JSON file: [{"token": "...", "subject": "alice", "role": "operator"}].
 * Only SHA-256 digests are kept in memory, compared in constant time.
 */
export class TokenAuthenticator implements Authenticator {
  private constructor(private readonly entries: TokenEntry[]) {}

  static fromFile(path: string): TokenAuthenticator {
    const origin = `tokens file ${path}`
    return TokenAuthenticator.fromEntries(readJsonFile(path, origin), origin)
  }

  static fromEntries(raw: unknown, origin = 'tokens'): TokenAuthenticator {
    const entries = parseInput(tokensSchema, raw, origin).map(({ token, subject, role, clusters }) => ({
      digest: sha256(token),
      principal: clusters === undefined ? { subject, role } : { subject, role, clusters: Object.freeze([...clusters]) },
    }))
    return new TokenAuthenticator(entries)
  }

  /** Every cluster a token of the file is limited to. */
  clustersNamed(): string[] {
    return [...new Set(this.entries.flatMap((e) => e.principal.clusters ?? []))].sort()
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
