// The leader election's Lease (coordination.k8s.io/v1) through client-node: get, create, and
// update (PUT) guarded by the resourceVersion read, as client-go's LeaseLock does.
import type { V1Lease } from '@kubernetes/client-node'
import type { LeaderLeaseStore, LeaderRecord } from '../../app/leader-election.js'
import { httpStatus } from './api-error.js'
import type { KubernetesApi } from './kubernetes-api.js'

export class KubernetesLeaderLease implements LeaderLeaseStore {
  constructor(
    private readonly api: KubernetesApi,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  async read(): Promise<{ record: LeaderRecord; version: string } | null> {
    try {
      const lease = await this.api.coordination.readNamespacedLease({ name: this.name, namespace: this.namespace })
      const spec = lease.spec ?? {}
      return {
        record: {
          holder: spec.holderIdentity || null,
          durationSeconds: spec.leaseDurationSeconds ?? 0,
          acquiredAt: spec.acquireTime ? new Date(spec.acquireTime) : null,
          renewedAt: spec.renewTime ? new Date(spec.renewTime) : null,
          transitions: spec.leaseTransitions ?? 0,
        },
        version: lease.metadata?.resourceVersion ?? '',
      }
    } catch (err) {
      if (httpStatus(err) === 404) return null
      throw err
    }
  }

  async create(record: LeaderRecord): Promise<boolean> {
    try {
      await this.api.coordination.createNamespacedLease({ namespace: this.namespace, body: this.lease(record) })
      return true
    } catch (err) {
      if (httpStatus(err) === 409) return false
      throw err
    }
  }

  async update(record: LeaderRecord, version: string): Promise<boolean> {
    try {
      await this.api.coordination.replaceNamespacedLease({ name: this.name, namespace: this.namespace, body: this.lease(record, version) })
      return true
    } catch (err) {
      if (httpStatus(err) === 409) return false
      throw err
    }
  }

  private lease(record: LeaderRecord, resourceVersion?: string): V1Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.name, namespace: this.namespace, ...(resourceVersion ? { resourceVersion } : {}) },
      spec: {
        // An empty holder is a released Lease, as client-go writes it.
        holderIdentity: record.holder ?? '',
        leaseDurationSeconds: record.durationSeconds,
        leaseTransitions: record.transitions,
        ...(record.acquiredAt ? { acquireTime: microTime(record.acquiredAt) } : {}),
        ...(record.renewedAt ? { renewTime: microTime(record.renewedAt) } : {}),
      },
    }
  }
}

/**
 * A MicroTime as the API server parses it: RFC 3339 with exactly six fractional digits (it answers
 * 400 to a Date's three). client-node passes a V1MicroTime through as it is, so the text goes out.
 */
function microTime(at: Date): Date {
  return at.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') as unknown as Date
}
