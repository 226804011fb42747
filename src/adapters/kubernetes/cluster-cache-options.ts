// What a KubernetesClusterCache may be given: clock, back-off, page sizes, timeouts, a logger.
import type { Clock } from '../../app/ports.js'
import type { BackoffPolicy } from './backoff.js'

export interface ClusterCacheOptions {
  clock?: Clock
  random?: () => number
  /** Pause between failed lists/watches. */
  backoff?: BackoffPolicy
  /** LIST page size (limit/continue); 500 as client-go has it: a page's JSON is what the first sync holds in memory at once. */
  pageSize?: number
  /** Asks the server to end each watch after this long; it is then resumed from the last resourceVersion. */
  watchTimeoutSeconds?: number
  /** How long start() waits for the first lists before it throws KUBERNETES_UNAVAILABLE (the lists keep retrying). */
  startTimeoutMs?: number
  pingTimeoutMs?: number
  /** Nodes refreshed at once. */
  refreshConcurrency?: number
  /** Per-request timeout when the cache builds its own KubernetesApi from a KubeConfig. */
  requestTimeoutMs?: number
  log?: WarningLog
}

/** The part of a structured logger the cache uses. */
export interface WarningLog {
  warn(msg: string, fields?: Record<string, unknown>): void
}
