// One cluster's view of the metrics: the same counters, each sample labelled with the cluster, so
// the services of a cluster count without knowing there are others.
import type { NodeplanMetrics } from './metrics.js'

type Labels = Record<string, string>

export interface ClusterMetrics {
  plans: { inc(labels: Labels, value?: number): void }
  applyDuration: { startTimer(labels: Labels): (end: Labels) => number }
  auditEvents: { inc(value?: number): void }
  leader: { set(value: number): void }
  leaderLeaseAttempts: { inc(labels: Labels): void }
  applyLeaseRenewals: { inc(labels: Labels): void }
  applyLeaseTakeOvers: { inc(): void }
  signalsReceived: { inc(labels: Labels): void }
  signalProposals: { inc(labels: Labels): void }
}

export function clusterMetrics(m: NodeplanMetrics, cluster: string): ClusterMetrics {
  return {
    plans: { inc: (labels, value) => m.plans.inc({ ...labels, cluster }, value) },
    applyDuration: { startTimer: (labels) => m.applyDuration.startTimer({ ...labels, cluster }) },
    auditEvents: { inc: (value) => m.auditEvents.inc(value) },
    leader: { set: (value) => m.leader.set({ cluster }, value) },
    leaderLeaseAttempts: { inc: (labels) => m.leaderLeaseAttempts.inc({ ...labels, cluster }) },
    applyLeaseRenewals: { inc: (labels) => m.applyLeaseRenewals.inc({ ...labels, cluster }) },
    applyLeaseTakeOvers: { inc: () => m.applyLeaseTakeOvers.inc({ cluster }) },
    signalsReceived: { inc: (labels) => m.signalsReceived.inc({ ...labels, cluster }) },
    signalProposals: { inc: (labels) => m.signalProposals.inc({ ...labels, cluster }) },
  }
}
