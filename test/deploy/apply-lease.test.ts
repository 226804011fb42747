// A replica whose apply lease ran out — another replica may already be finishing its plan — stops
// writing before its next change, and leaves the plan to the new holder.
import { join } from 'node:path'
import Sqlite from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../support/eventually.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { SIM_START, startTestCluster, type TestCluster } from '../support/simulator.js'

const { operator, viewer } = TEST_TOKENS
const NODES = ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4', 'gpu-5']
const LEASE_MS = 30_000

/** Replica "replica-a" applying one node at a time, its lease clock moved only by the test. */
function leasedReplica(leaseMs: number) {
  // Filled in by beforeAll; the tests read it only once it has run.
  const replica = { clock: { now: Date.parse('2026-11-01T10:00:00Z') }, cluster: null as unknown as TestCluster, np: null as unknown as TestNodeplan }
  beforeAll(async () => {
    replica.cluster = await startTestCluster({ startTime: SIM_START })
    replica.np = await startTestNodeplan({
      tokens: true,
      sim: replica.cluster,
      overrides: { apply: { owner: 'replica-a', leaseMs, parallelism: 1, clock: { now: () => new Date(replica.clock.now) } }, leaseSweepIntervalMs: 0, downtimeCheckIntervalMs: 0 },
    })
  })
  afterAll(async () => {
    await replica.np?.close()
    await replica.cluster?.close()
  })
  return replica
}

describe('an apply whose lease another replica took over', () => {
  const replica = leasedReplica(LEASE_MS)

  it('should stop writing once its lease expired and was taken, leaving the plan APPLYING to the new holder', async () => {
    const planned = await replica.np.gql(`mutation($nodes: [String!]!) { planDrain(input: {nodes: $nodes, reason: "lease test"}) { id } }`, { nodes: NODES }, operator)
    const id = planned.data.planDrain.id as string
    replica.cluster.sim.setFaults({ latencyMs: 150, paths: '^/api/v1/nodes/' })
    replica.cluster.sim.clearRequests()
    const applying = replica.np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status changes { applied } } }`, { id }, operator)
    await eventually(async () => {
      const res = await replica.np.gql(`query($id: ID!) { plan(id: $id) { changes { applied } } }`, { id }, viewer)
      expect(res.data.plan.changes.filter((c: any) => c.applied).length).toBeGreaterThanOrEqual(1)
    }, 20_000)

    // The lease runs out unrenewed (this replica's clock passes it) and replica b takes the plan.
    replica.clock.now += LEASE_MS + 1_000
    const leases = replica.np.app.db.leases
    expect(await leases.take(id, 'replica-b', new Date(replica.clock.now), new Date(replica.clock.now + LEASE_MS), { actor: 'system', action: 'plan.resumed' })).toBe(true)

    const answer = (await applying).data.applyPlan
    replica.cluster.sim.setFaults(null)
    expect(answer.status).toBe('APPLYING')
    const applied = answer.changes.filter((c: any) => c.applied).length
    expect(applied).toBeGreaterThanOrEqual(1)
    expect(applied).toBeLessThan(NODES.length)
    // Nothing written beyond what it recorded: at most the change in flight when the lease ran out.
    const patched = new Set(replica.cluster.sim.requests().filter((r) => r.verb === 'patch' && r.resource === 'nodes').map((r) => r.name))
    expect(patched.size).toBe(applied)
    expect(await leases.renew(id, 'replica-a', new Date(replica.clock.now + LEASE_MS)), 'the old holder cannot renew').toBe(false)
    expect(replica.np.logs.join('')).toContain('apply lease lost')
  })
})

describe('an apply that keeps its lease', () => {
  const SHORT_LEASE_MS = 300 // renewed every 100 ms
  const replica = leasedReplica(SHORT_LEASE_MS)

  it('should renew it while it writes, and finish the plan', async () => {
    const planned = await replica.np.gql(`mutation($nodes: [String!]!) { planDrain(input: {nodes: $nodes, reason: "renewal"}) { id } }`, { nodes: NODES }, operator)
    const id = planned.data.planDrain.id as string
    replica.cluster.sim.setFaults({ latencyMs: 300, paths: '^/api/v1/nodes/' }) // the apply lasts seconds: many renewals
    const applying = replica.np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id }, operator)
    const lease = () => {
      const db = new Sqlite(join(replica.np.dir, 'nodeplan.db'), { readonly: true })
      try {
        return db.prepare(`SELECT "applyOwner", "leaseExpiresAt" FROM "Plan" WHERE "id" = ?`).get(id) as { applyOwner: string; leaseExpiresAt: number | string }
      } finally {
        db.close()
      }
    }
    await eventually(() => expect(lease().applyOwner).toBe('replica-a'))
    // Within the lease, its clock moves on; the next renewal moves the expiry with it.
    replica.clock.now += 200
    await eventually(() => expect(new Date(lease().leaseExpiresAt).getTime()).toBe(replica.clock.now + SHORT_LEASE_MS), 5_000)
    expect((await applying).data.applyPlan.status).toBe('APPLIED')
    replica.cluster.sim.setFaults(null)
  })
})
