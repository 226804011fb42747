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

describe('an apply whose lease another replica took over', () => {
  let cluster: TestCluster
  let np: TestNodeplan
  let now = Date.parse('2026-11-01T10:00:00Z')

  beforeAll(async () => {
    cluster = await startTestCluster({ startTime: SIM_START })
    np = await startTestNodeplan({
      tokens: true,
      sim: cluster,
      overrides: { apply: { owner: 'replica-a', leaseMs: LEASE_MS, parallelism: 1, clock: { now: () => new Date(now) } }, leaseSweepIntervalMs: 0, downtimeCheckIntervalMs: 0 },
    })
  })
  afterAll(async () => {
    await np?.close()
    await cluster?.close()
  })

  it('should stop writing once its lease expired and was taken, leaving the plan APPLYING to the new holder', async () => {
    const planned = await np.gql(`mutation($nodes: [String!]!) { planDrain(input: {nodes: $nodes, reason: "lease test"}) { id } }`, { nodes: NODES }, operator)
    const id = planned.data.planDrain.id as string
    cluster.sim.setFaults({ latencyMs: 150, paths: '^/api/v1/nodes/' })
    cluster.sim.clearRequests()
    const applying = np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status changes { applied } } }`, { id }, operator)
    await eventually(async () => {
      const res = await np.gql(`query($id: ID!) { plan(id: $id) { changes { applied } } }`, { id }, viewer)
      expect(res.data.plan.changes.filter((c: any) => c.applied).length).toBeGreaterThanOrEqual(1)
    }, 20_000)

    // The lease runs out unrenewed (this replica's clock passes it) and replica b takes the plan.
    now += LEASE_MS + 1_000
    const leases = np.app.db.leases
    expect(await leases.take(id, 'replica-b', new Date(now), new Date(now + LEASE_MS), { actor: 'system', action: 'plan.resumed' })).toBe(true)

    const answer = (await applying).data.applyPlan
    cluster.sim.setFaults(null)
    expect(answer.status).toBe('APPLYING')
    const applied = answer.changes.filter((c: any) => c.applied).length
    expect(applied).toBeGreaterThanOrEqual(1)
    expect(applied).toBeLessThan(NODES.length)
    // Nothing written beyond what it recorded: at most the change in flight when the lease ran out.
    const patched = new Set(cluster.sim.requests().filter((r) => r.verb === 'patch' && r.resource === 'nodes').map((r) => r.name))
    expect(patched.size).toBe(applied)
    expect(await leases.renew(id, 'replica-a', new Date(now + LEASE_MS)), 'the old holder cannot renew').toBe(false)
    expect(np.logs.join('')).toContain('apply lease lost')
  })
})

describe('an apply that keeps its lease', () => {
  const SHORT_LEASE_MS = 300 // renewed every 100 ms
  let cluster: TestCluster
  let np: TestNodeplan
  let now = Date.parse('2026-11-01T10:00:00Z')

  beforeAll(async () => {
    cluster = await startTestCluster({ startTime: SIM_START })
    np = await startTestNodeplan({
      tokens: true,
      sim: cluster,
      overrides: { apply: { owner: 'replica-a', leaseMs: SHORT_LEASE_MS, parallelism: 1, clock: { now: () => new Date(now) } }, leaseSweepIntervalMs: 0, downtimeCheckIntervalMs: 0 },
    })
  })
  afterAll(async () => {
    await np?.close()
    await cluster?.close()
  })

  it('should renew it while it writes, and finish the plan', async () => {
    const planned = await np.gql(`mutation($nodes: [String!]!) { planDrain(input: {nodes: $nodes, reason: "renewal"}) { id } }`, { nodes: NODES }, operator)
    const id = planned.data.planDrain.id as string
    cluster.sim.setFaults({ latencyMs: 300, paths: '^/api/v1/nodes/' }) // the apply lasts seconds: many renewals
    const applying = np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id }, operator)
    const lease = () => {
      const db = new Sqlite(join(np.dir, 'nodeplan.db'), { readonly: true })
      try {
        return db.prepare(`SELECT "applyOwner", "leaseExpiresAt" FROM "Plan" WHERE "id" = ?`).get(id) as { applyOwner: string; leaseExpiresAt: number | string }
      } finally {
        db.close()
      }
    }
    await eventually(() => expect(lease().applyOwner).toBe('replica-a'))
    // Within the lease, its clock moves on; the next renewal moves the expiry with it.
    now += 200
    await eventually(() => expect(new Date(lease().leaseExpiresAt).getTime()).toBe(now + SHORT_LEASE_MS), 5_000)
    expect((await applying).data.applyPlan.status).toBe('APPLIED')
    cluster.sim.setFaults(null)
  })
})
