// Reads of a cluster that does not answer are served from what its cache last knew, and say so:
// the response carries `extensions.unreachableClusters` ([{ name, lastSyncedAt }]) naming each
// such cluster the request read, with the age of what is known.
import type { ApolloServerPlugin } from '@apollo/server'
import type { ClusterServices } from '../app/fleet.js'
import type { RequestContext } from './context.js'

interface StaleRead {
  name: string
  lastSyncedAt: string | null
}

const staleReads = new WeakMap<object, Map<string, StaleRead>>()

/** Notes that the request read `cluster`'s cache; only an unreachable cluster is recorded. */
export function noteRead(ctx: RequestContext, cluster: Pick<ClusterServices, 'name' | 'contact'>): void {
  const status = cluster.contact.status()
  if (status.reachable) return
  let reads = staleReads.get(ctx)
  if (!reads) staleReads.set(ctx, (reads = new Map()))
  reads.set(cluster.name, { name: cluster.name, lastSyncedAt: status.lastContactAt?.toISOString() ?? null })
}

export function unreachableClustersPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const reads = staleReads.get(contextValue)
          if (!reads || response.body.kind !== 'single') return
          const result = response.body.singleResult
          result.extensions = { ...result.extensions, unreachableClusters: [...reads.values()] }
        },
      }
    },
  }
}
