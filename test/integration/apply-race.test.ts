// Two applyPlan calls of one plan, the second reading the node only after the first wrote it:
// the node then differs from the plan, but because the plan itself is being applied.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { code, startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

let np: TestNodeplan
beforeAll(async () => {
  np = await startTestNodeplan({ tokens: true })
})
afterAll(async () => {
  await np?.close()
})

const apply = (id: string) => np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id }, TEST_TOKENS.operator)

it('answers PLAN_NOT_APPLICABLE, not PLAN_STALE, to an apply that finds the plan already changing its node', async () => {
  const planned = await np.gql(`mutation { planDrain(input: { nodes: ["gpu-3"], reason: "late second apply" }) { id } }`, {}, TEST_TOKENS.operator)
  const id = planned.data.planDrain.id as string
  // Slow the first apply's write of the node, and only that.
  np.sim.sim.setFaults({ latencyMs: 2_000, paths: '^/api/v1/nodes/gpu-3$' })
  const first = apply(id)
  // Real I/O to order, not the cluster's clock: the second arrives while the first's write is
  // under way (the plan APPLYING, the node perhaps already changed by it).
  await new Promise((resolve) => setTimeout(resolve, 500))
  const second = apply(id)
  expect((await first).data?.applyPlan?.status).toBe('APPLIED')
  const late = await second
  np.sim.sim.setFaults({})
  expect(code(late)).toBe('PLAN_NOT_APPLICABLE')
  expect(late.errors?.[0]?.message).toMatch(/APPLYING|APPLIED/)
})
