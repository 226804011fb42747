// Fault injection for the Kubernetes API routes (never /_sim): latency, error rates, forced
// conflicts, dropped connections, a server that does not answer at all.
import { Random } from './random.js'
import { badRequest } from './status.js'

export interface Faults {
  latencyMs?: number
  errorRate?: number
  errorStatus?: 500 | 503 | 429
  conflictRate?: number
  unreachable?: boolean
  resetRate?: number
  /** A regular expression; only request paths matching it are affected. */
  paths?: string
  /** Only this many requests (of those `paths` matches) are affected; then the faults clear. */
  times?: number
}

export function parseFaults(body: unknown): Faults {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('faults must be a JSON object')
  const b = body as Record<string, unknown>
  const rate = (k: string): number | undefined => {
    const v = b[k]
    if (v === undefined) return undefined
    if (typeof v !== 'number' || v < 0 || v > 1) throw badRequest(`${k} must be a number between 0 and 1`)
    return v
  }
  const known = ['latencyMs', 'errorRate', 'errorStatus', 'conflictRate', 'unreachable', 'resetRate', 'paths', 'times']
  for (const k of Object.keys(b)) if (!known.includes(k)) throw badRequest(`unknown fault "${k}" (known: ${known.join(', ')})`)
  if (b.latencyMs !== undefined && (typeof b.latencyMs !== 'number' || b.latencyMs < 0)) throw badRequest('latencyMs must be a non-negative number')
  if (b.errorStatus !== undefined && ![500, 503, 429].includes(b.errorStatus as number)) throw badRequest('errorStatus must be 500, 503 or 429')
  if (b.unreachable !== undefined && typeof b.unreachable !== 'boolean') throw badRequest('unreachable must be a boolean')
  if (b.times !== undefined && !(Number.isInteger(b.times) && (b.times as number) >= 1)) throw badRequest('times must be a whole number of requests, at least 1')
  if (b.paths !== undefined) {
    if (typeof b.paths !== 'string') throw badRequest('paths must be a regular expression string')
    try {
      new RegExp(b.paths)
    } catch (e) {
      throw badRequest(`paths is not a valid regular expression: ${(e as Error).message}`)
    }
  }
  return {
    ...(b.latencyMs !== undefined ? { latencyMs: b.latencyMs as number } : {}),
    ...(rate('errorRate') !== undefined ? { errorRate: rate('errorRate') } : {}),
    ...(b.errorStatus !== undefined ? { errorStatus: b.errorStatus as 500 | 503 | 429 } : {}),
    ...(rate('conflictRate') !== undefined ? { conflictRate: rate('conflictRate') } : {}),
    ...(b.unreachable !== undefined ? { unreachable: b.unreachable as boolean } : {}),
    ...(rate('resetRate') !== undefined ? { resetRate: rate('resetRate') } : {}),
    ...(b.paths !== undefined ? { paths: b.paths as string } : {}),
    ...(b.times !== undefined ? { times: b.times as number } : {}),
  }
}

/**
 * The faults in force, and their own seeded randomness (apart from the cluster's, so faults change
 * nothing else). Each set of faults starts the stream again from the seed: what a set of faults does
 * to the requests after it never depends on how many rolls earlier faults took.
 */
export class FaultInjector {
  private current: Faults | null = null
  private random: Random

  constructor(private readonly seed: number) {
    this.random = new Random(seed)
  }

  set(faults: Faults | null): void {
    this.current = faults && Object.keys(faults).length ? faults : null
    this.random = new Random(this.seed)
  }

  get(): Faults | null {
    return this.current
  }

  /** A request met the faults: with `times`, one fewer is left, and none clears them. */
  used(): void {
    if (this.current?.times === undefined) return
    this.current = this.current.times > 1 ? { ...this.current, times: this.current.times - 1 } : null
  }

  /** A number in [0, 1) from the fault stream. */
  roll(): number {
    return this.random.next()
  }
}
