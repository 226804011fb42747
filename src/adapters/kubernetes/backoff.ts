export interface BackoffPolicy {
  baseMs: number
  maxMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 10_000 }

/**
 * Exponential backoff with jitter: attempt 1 waits between baseMs/2 and baseMs, attempt 2
 * between baseMs and 2·baseMs, … capped at maxMs. `random` is in [0, 1).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}
