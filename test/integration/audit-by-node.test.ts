// "Who drained gpu-2 last Tuesday and why": a node's audit trail includes the plan-level events of
// every plan that touches it, each with the reason and the approver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

const { operator, approver, viewer } = TEST_TOKENS

describe('audit events by node', () => {
  let np: TestNodeplan
  const events = async (filter: Record<string, unknown>) => {
    const res = await np.gql(`query($f: AuditFilter) { auditEvents(filter: $f, first: 100) { totalCount edges { node { actor action planId node detail } } } }`, { f: filter }, viewer)
    expect(res.errors).toBeUndefined()
    return res.data.auditEvents as { totalCount: number; edges: { node: any }[] }
  }

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true, policy: { requireApproval: ['DRAIN'] } })
  })
  afterAll(async () => {
    await np?.close()
  })

  it('a multi-node plan\'s created, approved, applying and applied events are found by each of its nodes, with reason and approver', async () => {
    const made = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-1", "gpu-2"], reason: "CHG-7 firmware"}) { id } }`, {}, operator)
    const id = made.data.planDrain.id
    expect((await np.gql(`mutation { approvePlan(id: "${id}") { status } }`, {}, approver)).data.approvePlan.status).toBe('APPROVED')
    expect((await np.gql(`mutation { applyPlan(id: "${id}") { status } }`, {}, operator)).data.applyPlan.status).toBe('APPLIED')
    // Another plan on gpu-1 only, discarded: not gpu-2's.
    const other = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-3", "gpu-1"], reason: "other"}) { id } }`, {}, operator)
    await np.gql(`mutation { discardPlan(id: "${other.data.planDrain.id}") { status } }`, {}, operator)

    const gpu2 = await events({ node: 'gpu-2' })
    expect(gpu2.edges.map((e) => [e.node.action, e.node.planId, e.node.node])).toEqual([
      ['plan.applied', id, null],
      ['change.applied', id, 'gpu-2'],
      ['plan.applying', id, null],
      ['plan.approved', id, null],
      ['plan.created', id, null],
    ])
    expect(gpu2.totalCount).toBe(5)
    const byAction = Object.fromEntries(gpu2.edges.map((e) => [e.node.action, e.node]))
    for (const action of ['plan.created', 'plan.approved', 'plan.applying', 'plan.applied']) expect(byAction[action].detail.reason).toBe('CHG-7 firmware')
    expect(byAction['plan.approved'].actor).toBe('approver')
    expect(byAction['plan.applied'].detail.approvedBy).toBe('approver')
    expect(byAction['plan.applying'].detail.approvedBy).toBe('approver')

    // The other node of the plan sees the same plan events, and its own change, not gpu-2's.
    const gpu1 = await events({ node: 'gpu-1', planId: id })
    expect(gpu1.edges.map((e) => e.node.node)).toEqual([null, 'gpu-1', null, null, null])
    // The discarded plan is gpu-1's and gpu-3's, with its reason.
    const discarded = await events({ node: 'gpu-3', action: 'plan.discarded' })
    expect(discarded.edges.map((e) => e.node.detail.reason)).toEqual(['other'])
    expect((await events({ node: 'gpu-2', action: 'plan.discarded' })).totalCount).toBe(0)
    // A node no plan touched has only its own events (none here).
    expect((await events({ node: 'cpu-1' })).totalCount).toBe(0)
  })
})
