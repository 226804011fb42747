// One authority for who approves (the policy's approverRole, not a fixed role in the resolver),
// and one definition of a draining node for the inventory, the planner and /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../support/eventually.js'
import { code, startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

describe('a policy naming operator as approverRole', () => {
  let np: TestNodeplan
  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true, policy: { approverRole: 'operator', requireApproval: ['DRAIN'] } })
  })
  afterAll(async () => {
    await np?.close()
  })
  const approve = (id: string, token: string) => np.gql(`mutation($id: ID!) { approvePlan(id: $id) { status approvedBy } }`, { id }, token)

  it('lets another operator approve, refuses a viewer, and says so in me.approverRole', async () => {
    const me = await np.gql('{ me { role approverRole } }', {}, TEST_TOKENS.operator2)
    expect(me.data.me).toEqual({ role: 'operator', approverRole: 'operator' })
    const planned = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-1"], reason: "CHG-11"}) { id } }`, {}, TEST_TOKENS.operator)
    const id = planned.data.planDrain.id as string
    expect(code(await approve(id, TEST_TOKENS.viewer))).toBe('FORBIDDEN')
    expect(code(await approve(id, TEST_TOKENS.operator))).toBe('FORBIDDEN') // its author
    expect((await approve(id, TEST_TOKENS.operator2)).data.approvePlan).toEqual({ status: 'APPROVED', approvedBy: 'operator2' })
  })

  it('counts a node with the drain taint under another value as draining, in the inventory, the planner and /metrics', async () => {
    const stored = np.sim.sim.nodes.get(undefined, 'gpu-2')!
    np.sim.sim.nodes.update({ ...stored, spec: { ...stored.spec, taints: [{ key: 'runai', value: 'maintenance', effect: 'NoExecute' }] } })
    await eventually(async () => {
      const res = await np.gql('{ nodes(filter: {draining: true}) { name } }', {}, TEST_TOKENS.viewer)
      expect(res.data.nodes).toEqual([{ name: 'gpu-2' }])
    })
    const metrics = await (await fetch(`${np.url}/metrics`)).text()
    expect(metrics).toMatch(/^nodeplan_nodes_draining\{cluster="default"\} 1$/m)
    // The planner agrees: draining it again changes nothing.
    const planned = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-2"], reason: "again"}) { changes { action } } }`, {}, TEST_TOKENS.operator)
    expect(planned.data.planDrain.changes.map((c: { action: string }) => c.action)).not.toContain('CREATE')
  })
})
