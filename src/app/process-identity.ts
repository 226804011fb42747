import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'

/**
 * This process among the replicas, in apply leases, the leader Lease and webhook delivery leases:
 * the hostname (for people reading it) and a random suffix, so that two processes on one host,
 * or a restarted one, are never taken for each other.
 */
export const PROCESS_IDENTITY = `${hostname()}_${randomUUID().slice(0, 8)}`
