import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { checkHostileInput, hostileTarget } from './hostile-input-check.js'

describe('hostile input (fast: 300 generated requests)', () => {
  const np = hostileTarget()

  it('never answers 5xx or without a contract code, and stores nothing', async () => {
    await checkHostileInput(np(), 1, 300)
  })
})

describe('a plan request naming thousands of made-up nodes', () => {
  let np: TestNodeplan
  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
  })
  afterAll(async () => {
    await np?.close()
  })

  it('is refused after re-reading at most a few unknown nodes, not one API call per name', async () => {
    np.sim.sim.clearRequests()
    const nodes = Array.from({ length: 3000 }, (_, i) => `no-such-${i}`)
    const res = await np.gql(`mutation($n: [String!]!) { planDrain(input: {nodes: $n, reason: "amplify"}) { id } }`, { n: nodes }, TEST_TOKENS.operator)
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    expect(res.errors?.[0]?.message).toContain('there is no node "no-such-0"')
    // Before: two API calls (the node, its pods) per name, 6,000 in all.
    expect(np.sim.sim.requests().length).toBeLessThanOrEqual(2 * 10)
    // A node the cache knows is still re-read before planning.
    np.sim.sim.clearRequests()
    const fresh = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-1"], reason: "fresh"}) { id } }`, {}, TEST_TOKENS.operator)
    expect(fresh.errors).toBeUndefined()
    expect(np.sim.sim.requests().filter((r) => r.resource === 'nodes').length).toBeGreaterThanOrEqual(1)
  })
})
