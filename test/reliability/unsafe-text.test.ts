// Every free-text argument refuses control and invisible formatting characters with
// BAD_USER_INPUT before anything runs: no plan, no audit event, no bootstrap token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { code, startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

const HOSTILE = {
  'clear screen': 'CHG-1 \x1b[2J\x1b[H',
  'window title': 'CHG-1 \x1b]0;owned\x07',
  'forged line': 'CHG-1\nApproved by alice',
  'C1 CSI': 'CHG-1 \u009b2J',
  'right-to-left override': 'CHG-1 \u202eevil',
  'isolate': 'CHG-1 \u2066x\u2069',
  'zero-width space': 'CHG\u200b-1',
  'hidden tag text': 'CHG-1\u{e0041}\u{e0042}',
  'DEL': 'CHG-1\x7f',
}

describe('free text with control characters', () => {
  let np: TestNodeplan
  const counts = async () => {
    const res = await np.gql(`{ plans(first: 1) { totalCount } auditEvents(first: 1) { totalCount } }`, {}, TEST_TOKENS.admin)
    return { plans: res.data.plans.totalCount, audit: res.data.auditEvents.totalCount, secrets: np.sim.sim.secrets.list('kube-system').length }
  }

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
  })
  afterAll(async () => {
    await np?.close()
  })

  const INPUTS: [string, string, (text: string) => Record<string, unknown>, string, string][] = [
    ['planDrain reason', `mutation($input: PlanNodesInput!) { planDrain(input: $input) { id } }`, (r) => ({ input: { nodes: ['gpu-1'], reason: r } }), 'reason', TEST_TOKENS.operator],
    ['planUndrain reason', `mutation($input: PlanNodesInput!) { planUndrain(input: $input) { id } }`, (r) => ({ input: { nodes: ['gpu-1'], reason: r } }), 'reason', TEST_TOKENS.operator],
    ['planDecommission reason', `mutation($input: PlanNodesInput!) { planDecommission(input: $input) { id } }`, (r) => ({ input: { nodes: ['gpu-1'], reason: r } }), 'reason', TEST_TOKENS.operator],
    ['planRejoin reason', `mutation($input: PlanNodesInput!) { planRejoin(input: $input) { id } }`, (r) => ({ input: { nodes: ['gpu-1'], reason: r } }), 'reason', TEST_TOKENS.operator],
    ['planRelabel reason', `mutation($input: PlanRelabelInput!) { planRelabel(input: $input) { id } }`, (r) => ({ input: { node: 'gpu-1', roles: ['GPU_WORKER'], reason: r } }), 'reason', TEST_TOKENS.operator],
    ['planRollback reason', `mutation($id: ID!, $r: String!) { planRollback(planId: $id, reason: $r) { id } }`, (r) => ({ id: 'plan-nonexistent', r }), 'reason', TEST_TOKENS.operator],
    ['createJoinCommand description', `mutation($d: String) { createJoinCommand(description: $d) { tokenId } }`, (d) => ({ d }), 'description', TEST_TOKENS.admin],
    ['a node name', `mutation($input: PlanNodesInput!) { planDrain(input: $input) { id } }`, (n) => ({ input: { nodes: [n], reason: 'ok' } }), 'nodes[0]', TEST_TOKENS.operator],
    ['an audit filter', `query($f: AuditFilter) { auditEvents(filter: $f) { totalCount } }`, (a) => ({ f: { actor: a } }), 'actor', TEST_TOKENS.viewer],
  ]

  it.each(INPUTS)('refuses %s, naming the field, and changes nothing', async (_name, query, variables, field, token) => {
    const before = await counts()
    for (const [kind, text] of Object.entries(HOSTILE)) {
      const res = await np.gql(query, variables(text), token)
      expect(code(res), kind).toBe('BAD_USER_INPUT')
      expect(res.errors![0]!.message, kind).toMatch(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}: U\\+[0-9A-F]{4,5} at character \\d+ is not allowed`))
    }
    expect(await counts()).toEqual(before)
  })

  it('accepts text in any script, with emoji', async () => {
    const res = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-2"], reason: "Wartung – café, 维护 👩‍🔧"}) { reason } }`, {}, TEST_TOKENS.operator)
    expect(res.errors).toBeUndefined()
    expect(res.data.planDrain.reason).toBe('Wartung – café, 维护 👩‍🔧')
  })
})
