// Every query and mutation of the served schema against every role. The operations are read from
// the server's own introspection, so one added without a row here fails the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { outcome } from '../support/graphql-client.js'
import { startTestNodeplan, TEST_TOKENS, type GraphQLResponse, type TestNodeplan } from '../support/nodeplan.js'

type Caller = 'none' | 'viewer' | 'operator' | 'approver' | 'admin'
const CALLERS: Caller[] = ['none', 'viewer', 'operator', 'approver', 'admin']
const RANK: Record<Caller, number> = { none: -1, viewer: 0, operator: 1, approver: 2, admin: 3 }
const PLAN = `{ id status }`

interface Row {
  /** The least role allowed. */
  least: Exclude<Caller, 'none'>
  /** A document that succeeds for an allowed caller, setting up what it needs first (as operator2); refused callers need no setup. */
  doc(allowed: boolean): Promise<{ query: string; variables?: Record<string, unknown> }>
}

describe('access control: every operation against every role', () => {
  let np: TestNodeplan
  let nextNode = 1
  const freshNode = () => `gpu-${nextNode++}`
  const as = async (token: string, query: string, variables?: Record<string, unknown>) => {
    const res = await np.gql(query, variables, token)
    if (res.errors) throw new Error(`setup failed: ${JSON.stringify(res.errors)}`)
    return res.data
  }
  const pendingPlan = async (kind: 'planDrain' | 'planDecommission', author = TEST_TOKENS.operator2) =>
    (await as(author, `mutation($n: [String!]!) { ${kind}(input: {nodes: $n, reason: "acl"}) { id } }`, { n: [freshNode()] }))[kind].id as string
  const appliedDrain = async () => {
    const node = freshNode()
    const id = (await as(TEST_TOKENS.operator2, `mutation($n: [String!]!) { planDrain(input: {nodes: $n, reason: "acl"}) { id } }`, { n: [node] })).planDrain.id
    const applied = await as(TEST_TOKENS.operator2, `mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id })
    expect(applied.applyPlan.status).toBe('APPLIED')
    return { id: id as string, node }
  }

  /** A rollout of a fresh node by operator2; started ones wait for a notBefore far ahead, so the runner leaves them be. */
  const rolloutOf = async (then: ('startRollout' | 'pauseRollout')[] = []) => {
    const id = (await as(TEST_TOKENS.operator2, `mutation($n: [String!]!) { planRollout(input: {nodes: $n, reason: "acl", notBefore: "2099-01-01T00:00:00Z"}) { id } }`, { n: [freshNode()] })).planRollout.id as string
    for (const step of then) await as(TEST_TOKENS.operator2, `mutation($id: ID!) { ${step}(id: $id) { id } }`, { id })
    return id
  }
  const ROLLOUT = `{ id status }`
  const rolloutRow = (least: Row['least'], mutation: string, setup: () => Promise<string>, args = ''): Row => ({
    least,
    doc: async (allowed) => ({ query: `mutation($id: ID!) { ${mutation}(id: $id${args}) ${ROLLOUT} }`, variables: { id: allowed ? await setup() : 'rollout-x' } }),
  })

  const ROWS: Record<string, Row> = {
    // Queries
    auditEvents: { least: 'viewer', doc: async () => ({ query: `{ auditEvents(first: 2) { totalCount edges { node { id action } } } }` }) },
    clusters: { least: 'viewer', doc: async () => ({ query: `{ clusters { name reachable nodes gpusInService } }` }) },
    me: { least: 'viewer', doc: async () => ({ query: `{ me { subject role } }` }) },
    node: { least: 'viewer', doc: async () => ({ query: `{ node(name: "gpu-1") { name gpus } }` }) },
    nodes: { least: 'viewer', doc: async () => ({ query: `{ nodes { name } }` }) },
    plan: { least: 'viewer', doc: async () => ({ query: `query($id: ID!) { plan(id: $id) { id } }`, variables: { id: 'no-such-plan' } }) },
    plans: { least: 'viewer', doc: async () => ({ query: `{ plans(first: 2) { totalCount } }` }) },
    systemNodes: { least: 'viewer', doc: async () => ({ query: `{ systemNodes { ready nodes warning } }` }) },
    healthSignals: { least: 'viewer', doc: async () => ({ query: `{ healthSignals { node outcome } }` }) },
    verifyAuditTrail: { least: 'admin', doc: async () => ({ query: `{ verifyAuditTrail { ok checked } }` }) },
    // Mutations
    planDrain: { least: 'operator', doc: async () => ({ query: `mutation($n: [String!]!) { planDrain(input: {nodes: $n, reason: "acl"}) ${PLAN} }`, variables: { n: [freshNode()] } }) },
    planDecommission: {
      least: 'operator',
      doc: async () => ({ query: `mutation($n: [String!]!) { planDecommission(input: {nodes: $n, reason: "acl"}) ${PLAN} }`, variables: { n: [freshNode()] } }),
    },
    planUndrain: {
      least: 'operator',
      doc: async (allowed) => ({
        query: `mutation($n: [String!]!) { planUndrain(input: {nodes: $n, reason: "acl"}) ${PLAN} }`,
        variables: { n: [allowed ? (await appliedDrain()).node : 'gpu-1'] },
      }),
    },
    planRelabel: {
      least: 'operator',
      doc: async () => ({ query: `mutation($node: String!) { planRelabel(input: {node: $node, roles: [SYSTEM], reason: "acl"}) ${PLAN} }`, variables: { node: freshNode() } }),
    },
    planRejoin: {
      // A rejoin needs a decommissioned node that joined again; the lifecycle tests cover that. Here
      // an allowed caller gets past the role check to the plan's own rule.
      least: 'operator',
      doc: async () => ({ query: `mutation($n: [String!]!) { planRejoin(input: {nodes: $n, reason: "acl"}) ${PLAN} }`, variables: { n: [freshNode()] } }),
    },
    planRollback: {
      least: 'operator',
      doc: async (allowed) => ({ query: `mutation($id: ID!) { planRollback(planId: $id, reason: "acl") ${PLAN} }`, variables: { id: allowed ? (await appliedDrain()).id : 'plan-x' } }),
    },
    approvePlan: { least: 'approver', doc: async (allowed) => ({ query: `mutation($id: ID!) { approvePlan(id: $id) ${PLAN} }`, variables: { id: allowed ? await pendingPlan('planDecommission') : 'plan-x' } }) },
    applyPlan: { least: 'operator', doc: async (allowed) => ({ query: `mutation($id: ID!) { applyPlan(id: $id) ${PLAN} }`, variables: { id: allowed ? await pendingPlan('planDrain') : 'plan-x' } }) },
    discardPlan: { least: 'operator', doc: async (allowed) => ({ query: `mutation($id: ID!) { discardPlan(id: $id) ${PLAN} }`, variables: { id: allowed ? await pendingPlan('planDrain') : 'plan-x' } }) },
    reportNodeHealth: {
      least: 'operator',
      doc: async () => ({ query: `mutation { reportNodeHealth(input: {node: "gpu-1", source: "acl", code: "XID-13", severity: INFO}) { node outcome } }` }),
    },
    createJoinCommand: { least: 'admin', doc: async () => ({ query: `mutation { createJoinCommand(ttlHours: 1, description: "acl") { command tokenId expiresAt } }` }) },
    // Rollouts
    rollout: { least: 'viewer', doc: async () => ({ query: `query($id: ID!) { rollout(id: $id) { id } }`, variables: { id: 'no-such-rollout' } }) },
    rollouts: { least: 'viewer', doc: async () => ({ query: `{ rollouts(first: 2) { totalCount } }` }) },
    planRollout: {
      least: 'operator',
      doc: async () => ({ query: `mutation($n: [String!]!) { planRollout(input: {nodes: $n, reason: "acl"}) ${ROLLOUT} }`, variables: { n: [freshNode()] } }),
    },
    approveRollout: rolloutRow('approver', 'approveRollout', () => rolloutOf()),
    startRollout: rolloutRow('operator', 'startRollout', () => rolloutOf()),
    pauseRollout: rolloutRow('operator', 'pauseRollout', () => rolloutOf(['startRollout'])),
    resumeRollout: rolloutRow('operator', 'resumeRollout', () => rolloutOf(['startRollout', 'pauseRollout'])),
    abortRollout: rolloutRow('operator', 'abortRollout', () => rolloutOf(), ', reason: "acl"'),
    discardRollout: rolloutRow('operator', 'discardRollout', () => rolloutOf()),
    completeMaintenance: {
      // A node in maintenance needs a drained wave; the rollout tests cover that. Here an allowed
      // caller gets past the role check to the rollout's own rule (its node has not been handed over).
      least: 'operator',
      doc: async (allowed) => ({
        query: `mutation($id: ID!, $node: String!) { completeMaintenance(rolloutId: $id, node: $node) ${ROLLOUT} }`,
        variables: allowed ? { id: await rolloutOf(['startRollout']), node: `gpu-${nextNode - 1}` } : { id: 'rollout-x', node: 'gpu-1' },
      }),
    },
  }
  /** Allowed callers whose call reaches the service's own rules and is refused there, not by the role check. */
  const REFUSED_BY_RULE: Record<string, string> = { planRejoin: 'BAD_USER_INPUT', completeMaintenance: 'PLAN_NOT_APPLICABLE' }

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true, simulator: { gpuNodes: 60, cpuNodes: 0 } })
  })
  afterAll(async () => {
    await np?.close()
  })

  it('has a row for every query and mutation the server serves', async () => {
    const res = await np.gql(`{ __schema { queryType { fields { name } } mutationType { fields { name } } } }`, {}, TEST_TOKENS.viewer)
    const served = [...res.data.__schema.queryType.fields, ...res.data.__schema.mutationType.fields].map((f: { name: string }) => f.name).sort()
    expect(served.length).toBeGreaterThan(10)
    expect(Object.keys(ROWS).sort()).toEqual(served)
  })

  for (const caller of CALLERS) {
    it(`${caller}: allowed where the role reaches, FORBIDDEN where not${caller === 'none' ? ' (401 UNAUTHENTICATED for everything)' : ''}`, async () => {
      const outcomes: Record<string, string> = {}
      const expected: Record<string, string> = {}
      for (const [field, row] of Object.entries(ROWS)) {
        const allowed = RANK[caller] >= RANK[row.least]
        const { query, variables } = await row.doc(allowed)
        const res: GraphQLResponse = await np.gql(query, variables, caller === 'none' ? undefined : TEST_TOKENS[caller])
        outcomes[field] = outcome(res, field)
        expected[field] = caller === 'none' ? '401 UNAUTHENTICATED' : !allowed ? '200 FORBIDDEN' : `200 ${REFUSED_BY_RULE[field] ?? 'ok'}`
      }
      expect(outcomes).toEqual(expected)
    })
  }

  it('refuses an unknown token and a malformed Authorization header with 401 before running anything', async () => {
    const plans = async () => (await as(TEST_TOKENS.viewer, `{ plans(first: 1) { totalCount } }`)).plans.totalCount
    const before = await plans()
    for (const authorization of ['Bearer not-a-token-of-this-server', 'Basic dXNlcjpwYXNz', `Bearer ${TEST_TOKENS.admin}x`, `Bearer ${TEST_TOKENS.admin.slice(0, -1)}`, 'Bearer']) {
      const res = await fetch(`${np.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query: `mutation { planDrain(input: {nodes: ["gpu-60"], reason: "x"}) { id } }` }),
      })
      expect(res.status).toBe(401)
      expect(((await res.json()) as GraphQLResponse).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED')
    }
    expect(await plans()).toBe(before)
  })

  it('never writes a bearer token or a join secret to the logs', async () => {
    const join = await as(TEST_TOKENS.admin, `mutation { createJoinCommand(ttlHours: 2) { command tokenId } }`)
    const [tokenId, secret] = (/--token (\S+)\.(\S+)/.exec(join.createJoinCommand.command) ?? []).slice(1)
    expect(tokenId).toBe(join.createJoinCommand.tokenId)
    expect(secret).toMatch(/^[a-z0-9]{16}$/)
    const logs = np.logs.join('\n')
    // What the logs should hold is there: who asked for the join token, and its public id.
    expect(logs).toContain(`"tokenId":"${tokenId}"`)
    expect(logs).toContain('"by":"admin"')
    for (const [name, token] of Object.entries({ ...TEST_TOKENS, joinSecret: secret!, joinToken: `${tokenId}.${secret}` })) {
      expect(logs.includes(token), `${name} appears in the logs`).toBe(false)
    }
  })
})
