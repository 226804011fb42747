// The watcher's resilience with in-memory ports: a failing write is logged and the next event is
// still handled. Its behaviour against a cluster is in test/integration/lifecycle-downtime.test.ts.
import { describe, expect, it } from 'vitest'
import type { ApplyService } from '../../../src/app/apply.service.js'
import { DowntimeWatcher } from '../../../src/app/downtime-watcher.js'
import { LifecycleProposals } from '../../../src/app/lifecycle-proposals.js'
import { SystemPlans } from '../../../src/app/system-plans.js'
import type { PlanService } from '../../../src/app/plan.service.js'
import { DEFAULT_POLICY } from '../../../src/app/policy.js'
import type { AuditInput, AuditRepository, ClusterCache, NodeEvent, PlanRepository } from '../../../src/app/ports.js'
import type { NodeState } from '../../../src/domain/cluster.js'
import { createLogger } from '../../../src/logger.js'
import { buildNode, buildSnapshot } from '../../factories.js'

class FakeCache implements Pick<ClusterCache, 'onNodeEvent' | 'snapshot' | 'node'> {
  private listener: ((event: NodeEvent) => void) | null = null
  constructor(private nodes: NodeState[]) {}
  onNodeEvent(listener: (event: NodeEvent) => void) {
    this.listener = listener
    return () => (this.listener = null)
  }
  snapshot() {
    return buildSnapshot(this.nodes)
  }
  node(name: string) {
    return this.nodes.find((n) => n.name === name)
  }
  update(node: NodeState) {
    const previous = this.node(node.name)!
    this.nodes = this.nodes.map((n) => (n.name === node.name ? node : n))
    this.listener?.({ type: 'MODIFIED', node, previous })
  }
}

/** Appends into a list; refuses the first `failures` appends as a database gone away would. */
class FlakyAudit implements Pick<AuditRepository, 'appendOnce'> {
  readonly events: AuditInput[] = []
  constructor(private failures: number) {}
  async appendOnce(_key: string, event: AuditInput) {
    if (this.failures-- > 0) throw new Error('SQLITE_BUSY: database is locked')
    this.events.push(event)
    return { ...event, id: String(this.events.length), seq: this.events.length, at: new Date(), planId: null, node: event.node ?? null, cluster: event.cluster ?? null, detail: event.detail ?? null, hash: '', prevHash: '' }
  }
}

/** A watcher that only audits: no plans to find, none to make or apply. */
function auditingWatcher(cache: FakeCache, audit: FlakyAudit, now: () => Date, write: (line: string) => void = () => {}): DowntimeWatcher {
  const log = createLogger({ write })
  const noPlans: Pick<PlanRepository, 'pendingFor' | 'lastApplied'> = { pendingFor: async () => [], lastApplied: async () => null }
  const plans = new SystemPlans({} as PlanService, {} as ApplyService, noPlans as PlanRepository, log)
  const proposals = new LifecycleProposals(cache as unknown as ClusterCache, plans, DEFAULT_POLICY, log)
  return new DowntimeWatcher(cache as unknown as ClusterCache, audit as unknown as AuditRepository, proposals, { now }, log)
}

describe('DowntimeWatcher', () => {
  it('logs a failed audit write and goes on with the next event', async () => {
    const node = buildNode('gpu-1')
    const cache = new FakeCache([node])
    const audit = new FlakyAudit(1)
    const lines: string[] = []
    const now = new Date('2026-03-02T09:10:00Z')
    const watcher = auditingWatcher(cache, audit, () => now, (line) => lines.push(line))
    watcher.start(0)
    cache.update({ ...node, ready: false, notReadySince: '2026-03-02T09:00:00Z', resourceVersion: '2' })
    cache.update({ ...node, resourceVersion: '3' })
    await watcher.idle()
    await watcher.stop()

    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ level: 'error', msg: 'node NotReady failed', error: { type: 'Error', message: 'SQLITE_BUSY: database is locked', stack: expect.stringMatching(/^Error: SQLITE_BUSY: database is locked\n\s+at /) } })])
    expect(audit.events).toEqual([{ actor: 'system', action: 'node.ready', node: 'gpu-1', detail: { since: '2026-03-02T09:00:00Z', downSeconds: 600 } }])
  })

  it('ignores updates that are not transitions, and stops listening on stop()', async () => {
    const node = buildNode('gpu-1')
    const cache = new FakeCache([node])
    const audit = new FlakyAudit(0)
    const watcher = auditingWatcher(cache, audit, () => new Date())
    watcher.start(0)
    cache.update({ ...node, resourceVersion: '2', labels: { ...node.labels, heartbeat: 'x' } })
    await watcher.idle()
    expect(audit.events).toEqual([])
    await watcher.stop()
    cache.update({ ...node, ready: false, notReadySince: '2026-03-02T09:00:00Z', resourceVersion: '3' })
    await watcher.idle()
    expect(audit.events).toEqual([])
  })
})
