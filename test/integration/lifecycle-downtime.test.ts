// Unplanned downtime, end to end: the simulated cluster's nodes fail and recover on its clock,
// nodeplan sees it through its watch, and its watcher checks against that same clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DowntimeWatcher } from '../../src/app/downtime-watcher.js'
import type { Simulation } from '../../src/simulator/index.js'
import { eventually } from '../support/eventually.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { SIM_START, startTestCluster, type TestCluster } from '../support/simulator.js'

const { operator, viewer } = TEST_TOKENS
const PLAN_FIELDS = 'id kind status reason createdBy appliedBy nodes changes { address action before after applied }'
const DRAIN_TAINT = { key: 'runai', value: 'drain', effect: 'NoExecute' }

interface Lifecycle {
  cluster: TestCluster
  np: TestNodeplan
  sim: Simulation
  watcher: DowntimeWatcher
  audit(node: string, action: string): Promise<{ actor: string; action: string; planId: string | null; detail: any }[]>
  plansFor(node: string): Promise<any[]>
  apply(id: string, token?: string): Promise<any>
  hasDrainTaint(node: string): boolean
  close(): Promise<void>
}

async function startLifecycle(policy?: Record<string, unknown>, downtimeCheckIntervalMs = 0, apply?: { changeDeadlineMs: number }): Promise<Lifecycle> {
  const cluster = await startTestCluster({ startTime: SIM_START })
  const np = await startTestNodeplan({ tokens: true, sim: cluster, policy, overrides: { clock: cluster.sim.clock, downtimeCheckIntervalMs, ...(apply ? { apply } : {}) } })
  return {
    cluster,
    np,
    sim: cluster.sim,
    watcher: np.app.services.downtime,
    async audit(node, action) {
      const res = await np.gql(`query($f: AuditFilter) { auditEvents(filter: $f, first: 100) { edges { node { actor action planId detail } } } }`, { f: { node, action } }, viewer)
      expect(res.errors).toBeUndefined()
      return res.data.auditEvents.edges.map((e: any) => e.node)
    },
    async plansFor(node) {
      const res = await np.gql(`query($node: String) { plans(node: $node, first: 100) { edges { node { ${PLAN_FIELDS} } } } }`, { node }, viewer)
      expect(res.errors).toBeUndefined()
      return res.data.plans.edges.map((e: any) => e.node)
    },
    async apply(id, token = operator) {
      const res = await np.gql(`mutation($id: ID!) { applyPlan(id: $id) { ${PLAN_FIELDS} } }`, { id }, token)
      expect(res.errors).toBeUndefined()
      return res.data.applyPlan
    },
    hasDrainTaint(node) {
      const taints = cluster.sim.state().nodes.find((n) => n.name === node)?.taints ?? []
      return taints.some((t) => t.key === DRAIN_TAINT.key && t.value === DRAIN_TAINT.value && t.effect === DRAIN_TAINT.effect)
    },
    async close() {
      await np.close()
      await cluster.close()
    },
  }
}

describe('unplanned downtime with the default policy (propose after 300 s, never apply alone)', () => {
  let lc: Lifecycle
  beforeAll(async () => {
    lc = await startLifecycle()
  })
  afterAll(async () => {
    await lc?.close()
  })

  it('records a short outage in the audit trail and plans nothing', async () => {
    const since = lc.sim.clock.timestamp()
    lc.sim.failNode('gpu-1')
    const [down] = await eventually(async () => {
      const events = await lc.audit('gpu-1', 'node.notready')
      expect(events).toHaveLength(1)
      return events
    })
    expect(down).toMatchObject({ actor: 'system', planId: null, detail: { since } })

    lc.sim.advance(240)
    expect(await lc.watcher.check()).toEqual([])
    lc.sim.recoverNode('gpu-1')
    const [back] = await eventually(async () => {
      const events = await lc.audit('gpu-1', 'node.ready')
      expect(events).toHaveLength(1)
      return events
    })
    expect(back).toMatchObject({ actor: 'system', detail: { since, downSeconds: 240 } })

    lc.sim.advance(600)
    expect(await lc.watcher.check()).toEqual([])
    expect(await lc.plansFor('gpu-1')).toEqual([])
  })

  it('proposes one DRAIN for a node NotReady past 300 s, and the UNDRAIN once it is back after the drain was applied', async () => {
    const since = lc.sim.clock.timestamp()
    lc.sim.failNode('gpu-2')
    await eventually(async () => expect(await lc.audit('gpu-2', 'node.notready')).toHaveLength(1))

    lc.sim.advance(300)
    expect(await lc.watcher.check(), 'exactly the grace time is not longer than it').toEqual([])
    lc.sim.advance(1)
    const proposed = await lc.watcher.check()
    expect(proposed.map((p) => [p.kind, p.nodes])).toEqual([['DRAIN', ['gpu-2']]])

    const [drain] = await lc.plansFor('gpu-2')
    expect(drain).toMatchObject({
      id: proposed[0]!.id,
      kind: 'DRAIN',
      status: 'PENDING',
      createdBy: 'system',
      reason: `unplanned downtime: gpu-2 NotReady since ${since} (301 s, over 300 s)`,
      appliedBy: null,
    })
    expect(drain.changes).toEqual([{ address: 'node/gpu-2/taint/runai:NoExecute', action: 'CREATE', before: null, after: DRAIN_TAINT, applied: false }])
    expect(await lc.audit('gpu-2', 'plan.created')).toEqual([expect.objectContaining({ actor: 'system', planId: drain.id })])
    expect(lc.hasDrainTaint('gpu-2'), 'the default policy never applies it alone').toBe(false)

    // No second proposal while the first is pending, however often the watcher looks.
    lc.sim.advance(60)
    expect(await lc.watcher.check()).toEqual([])
    expect(await lc.watcher.check()).toEqual([])
    expect((await lc.plansFor('gpu-2')).map((p) => p.id)).toEqual([drain.id])

    const applied = await lc.apply(drain.id)
    expect(applied).toMatchObject({ status: 'APPLIED', appliedBy: 'operator' })
    expect(lc.hasDrainTaint('gpu-2')).toBe(true)
    lc.sim.advance(60)
    expect(await lc.watcher.check(), 'a drained node gets no further DRAIN').toEqual([])

    lc.sim.recoverNode('gpu-2')
    const undrain = await eventually(async () => {
      const found = (await lc.plansFor('gpu-2')).filter((p) => p.kind === 'UNDRAIN')
      expect(found).toHaveLength(1)
      return found[0]
    })
    expect(undrain).toMatchObject({
      status: 'PENDING',
      createdBy: 'system',
      reason: `node back: gpu-2 Ready again after 421 s NotReady; lifts the unplanned-downtime drain of plan ${drain.id}`,
    })
    expect(undrain.changes).toEqual([{ address: 'node/gpu-2/taint/runai:NoExecute', action: 'DELETE', before: DRAIN_TAINT, after: null, applied: false }])
    expect((await lc.audit('gpu-2', 'node.ready'))[0]).toMatchObject({ detail: { since, downSeconds: 421 } })

    expect(await lc.apply(undrain.id)).toMatchObject({ status: 'APPLIED' })
    expect(lc.hasDrainTaint('gpu-2')).toBe(false)
  })

  it('discards its pending DRAIN proposal when the node comes back before anyone applied it', async () => {
    lc.sim.failNode('gpu-3')
    await eventually(async () => expect(await lc.audit('gpu-3', 'node.notready')).toHaveLength(1))
    lc.sim.advance(400)
    const [proposal] = await lc.watcher.check()
    expect(proposal).toMatchObject({ kind: 'DRAIN', nodes: ['gpu-3'], status: 'PENDING' })

    lc.sim.recoverNode('gpu-3')
    await eventually(async () => expect((await lc.plansFor('gpu-3')).map((p) => p.status)).toEqual(['DISCARDED']))
    expect(await lc.audit('gpu-3', 'plan.discarded')).toEqual([expect.objectContaining({ actor: 'system', planId: proposal!.id })])
    expect(lc.hasDrainTaint('gpu-3')).toBe(false)

    // A later outage of the same node gets its own proposal: nothing pending blocks it.
    lc.sim.failNode('gpu-3')
    await eventually(async () => expect(await lc.audit('gpu-3', 'node.notready')).toHaveLength(2))
    lc.sim.advance(301)
    const [second] = await lc.watcher.check()
    expect(second).toMatchObject({ kind: 'DRAIN', nodes: ['gpu-3'], status: 'PENDING' })
    expect(second!.id).not.toBe(proposal!.id)
    lc.sim.recoverNode('gpu-3')
    await eventually(async () => expect((await lc.plansFor('gpu-3')).map((p) => p.status)).toEqual(['DISCARDED', 'DISCARDED']))
  })

  it('does not propose a DRAIN after a person discarded the one for the same outage', async () => {
    lc.sim.failNode('gpu-4')
    await eventually(async () => expect(await lc.audit('gpu-4', 'node.notready')).toHaveLength(1))
    lc.sim.advance(301)
    const [proposal] = await lc.watcher.check()
    const res = await lc.np.gql(`mutation($id: ID!) { discardPlan(id: $id) { status } }`, { id: proposal!.id }, operator)
    expect(res.data.discardPlan.status).toBe('DISCARDED')
    lc.sim.advance(600)
    expect(await lc.watcher.check()).toEqual([])
    lc.sim.recoverNode('gpu-4')
    await eventually(async () => expect(await lc.audit('gpu-4', 'node.ready')).toHaveLength(1))
  })

  it('reports the Ready system nodes, and warns with what to do when fewer than two serve', async () => {
    const query = `{ systemNodes { ready nodes warning } }`
    expect((await lc.np.gql(query, {}, viewer)).data.systemNodes).toEqual({ ready: 2, nodes: ['sys-1', 'sys-2'], warning: null })

    lc.sim.failNode('sys-1')
    const one = await eventually(async () => {
      const status = (await lc.np.gql(query, {}, viewer)).data.systemNodes
      expect(status.ready).toBe(1)
      return status
    })
    expect(one.nodes).toEqual(['sys-2'])
    expect(one.warning).toBe(
      'only one Ready Run:ai system node (sys-2): losing it stops the Run:ai services. Designate a temporary system node: nodeplan plan relabel cpu-1 --roles cpu-worker,system --reason "temporary system node" (GraphQL: planRelabel(input: {node: "cpu-1", roles: [CPU_WORKER, SYSTEM], reason: "temporary system node"})), then apply that plan; rolling it back later retires the temporary system node.',
    )
    lc.sim.recoverNode('sys-1')
    await eventually(async () => expect((await lc.np.gql(query, {}, viewer)).data.systemNodes.ready).toBe(2))
  })

  it('follows its own advice: with one system node left, draining it is refused until a temporary one is designated, whose rollback retires it', async () => {
    const query = `{ systemNodes { ready nodes warning } }`
    const mutate = async (mutation: string, variables: Record<string, unknown>) => lc.np.gql(mutation, variables, operator)
    lc.sim.failNode('sys-1')
    await eventually(async () => expect((await lc.np.gql(query, {}, viewer)).data.systemNodes.ready).toBe(1))

    const refused = await mutate(`mutation { planDrain(input: {nodes: ["sys-2"], reason: "kernel update"}) { id } }`, {})
    expect(refused.errors?.[0]?.extensions?.code).toBe('LAST_SYSTEM_NODE')

    const relabel = await mutate(`mutation { planRelabel(input: {node: "cpu-1", roles: [CPU_WORKER, SYSTEM], reason: "temporary system node"}) { id } }`, {})
    expect(await lc.apply(relabel.data.planRelabel.id)).toMatchObject({ status: 'APPLIED' })
    await eventually(async () => expect((await lc.np.gql(query, {}, viewer)).data.systemNodes).toEqual({ ready: 2, nodes: ['cpu-1', 'sys-2'], warning: null }))
    const allowed = await mutate(`mutation { planDrain(input: {nodes: ["sys-2"], reason: "kernel update"}) { id impact { readySystemNodesAfter } } }`, {})
    expect(allowed.errors).toBeUndefined()
    expect(allowed.data.planDrain.impact.readySystemNodesAfter).toBe(1)
    await mutate(`mutation($id: ID!) { discardPlan(id: $id) { status } }`, { id: allowed.data.planDrain.id })

    const rollback = await mutate(`mutation($id: ID!) { planRollback(planId: $id, reason: "sys-1 is back soon") { id } }`, { id: relabel.data.planRelabel.id })
    expect(await lc.apply(rollback.data.planRollback.id)).toMatchObject({ status: 'APPLIED' })
    await eventually(async () => expect((await lc.np.gql(query, {}, viewer)).data.systemNodes.nodes).toEqual(['sys-2']))
    lc.sim.recoverNode('sys-1')
    await eventually(async () => expect((await lc.np.gql(query, {}, viewer)).data.systemNodes.ready).toBe(2))
  })

  it('refuses systemNodes to a caller without a token', async () => {
    const res = await lc.np.gql(`{ systemNodes { ready } }`)
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED')
  })
})

describe('unplanned downtime where policy applies the drain itself (after 120 s)', () => {
  let lc: Lifecycle
  beforeAll(async () => {
    // A failing API server is retried for a change's deadline: a short one here.
    lc = await startLifecycle({ unplannedDrainAfterSeconds: 120, autoApplyUnplannedDrain: true }, 0, { changeDeadlineMs: 1_000 })
  })
  afterAll(async () => {
    await lc?.close()
  })

  it('applies its own DRAIN as system, and proposes (but does not apply) the UNDRAIN', async () => {
    lc.sim.failNode('gpu-5')
    await eventually(async () => expect(await lc.audit('gpu-5', 'node.notready')).toHaveLength(1))
    lc.sim.advance(120)
    expect(await lc.watcher.check()).toEqual([])
    lc.sim.advance(1)
    const [drain] = await lc.watcher.check()
    expect(drain).toMatchObject({ kind: 'DRAIN', status: 'APPLIED', createdBy: 'system', appliedBy: 'system' })
    expect(lc.hasDrainTaint('gpu-5')).toBe(true)
    expect(await lc.audit('gpu-5', 'plan.applied')).toEqual([expect.objectContaining({ actor: 'system', planId: drain!.id })])

    lc.sim.recoverNode('gpu-5')
    const undrain = await eventually(async () => {
      const found = (await lc.plansFor('gpu-5')).filter((p) => p.kind === 'UNDRAIN')
      expect(found).toHaveLength(1)
      return found[0]
    })
    expect(undrain).toMatchObject({ status: 'PENDING', createdBy: 'system' })
    expect(lc.hasDrainTaint('gpu-5'), 'bringing a node back into service stays a person\'s decision').toBe(true)
  })

  it('leaves its DRAIN to a person when applying it fails, and keeps watching', async () => {
    lc.sim.failNode('gpu-6')
    await eventually(async () => expect(await lc.audit('gpu-6', 'node.notready')).toHaveLength(1))
    lc.sim.advance(121)
    // Every node request fails: the apply's write fails at its deadline, and the plan ends FAILED.
    lc.sim.setFaults({ errorRate: 1, errorStatus: 500, paths: '^/api/v1/nodes' })
    try {
      const [drain] = await lc.watcher.check()
      expect(drain).toMatchObject({ kind: 'DRAIN', status: 'FAILED', createdBy: 'system' })
      expect(lc.np.logs.some((line) => line.includes('this one failed; it stays for a person') && line.includes(drain!.id))).toBe(true)
    } finally {
      lc.sim.setFaults(null)
    }
    expect(lc.hasDrainTaint('gpu-6')).toBe(false)
    lc.sim.recoverNode('gpu-6')
    // It keeps watching: the node's return is recorded; the failed plan stays as it is, for a person.
    await eventually(async () => expect(await lc.audit('gpu-6', 'node.ready')).toHaveLength(1))
    expect((await lc.plansFor('gpu-6')).map((p) => p.status)).toEqual(['FAILED'])
  })
})

describe('the downtime check on its own timer, as a running service has it', () => {
  let lc: Lifecycle
  beforeAll(async () => {
    lc = await startLifecycle(undefined, 20)
  })
  afterAll(async () => {
    await lc?.close()
  })

  it('proposes the DRAIN without anyone calling check()', async () => {
    lc.sim.failNode('gpu-1')
    await eventually(async () => expect(await lc.audit('gpu-1', 'node.notready')).toHaveLength(1))
    expect(await lc.plansFor('gpu-1')).toEqual([])
    lc.sim.advance(301)
    const [drain] = await eventually(async () => {
      const plans = await lc.plansFor('gpu-1')
      expect(plans).toHaveLength(1)
      return plans
    })
    expect(drain).toMatchObject({ kind: 'DRAIN', status: 'PENDING', createdBy: 'system' })
  })
})
