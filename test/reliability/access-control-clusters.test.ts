// Every query and mutation against a token limited to one cluster of two: allowed on its own
// cluster, FORBIDDEN on the other. The token is an admin's, so only the cluster limit refuses.
// Operations are read from the server's introspection, so one added without a row fails the test.
import { createClient } from 'graphql-ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { outcome } from '../support/graphql-client.js'
import { startTestFleet, type TestFleet } from '../support/fleet.js'
import { TEST_TOKENS } from '../support/nodeplan.js'

const OWN = 'train-eu'
const OTHER = 'train-us'
const PLAN = `{ id status }`

describe('access control per cluster: a token limited to one cluster', () => {
  let fleet: TestFleet
  let limited: string
  let nextNode = 1
  const freshNode = () => `gpu-${nextNode++}`
  const as = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fleet.gql(query, variables, TEST_TOKENS.operator2)
    if (res.errors) throw new Error(`setup failed: ${JSON.stringify(res.errors)}`)
    return res.data
  }
  /** A plan made in `cluster` by an unlimited operator. */
  const pendingPlan = async (cluster: string, kind = 'planDrain') =>
    (await as(`mutation($n: [String!]!, $c: String) { ${kind}(input: {nodes: $n, reason: "acl", cluster: $c}) { id } }`, { n: [freshNode()], c: cluster }))[kind].id as string
  const appliedDrain = async (cluster: string) => {
    const node = freshNode()
    const id = (await as(`mutation($n: [String!]!, $c: String) { planDrain(input: {nodes: $n, reason: "acl", cluster: $c}) { id } }`, { n: [node], c: cluster })).planDrain.id
    await as(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id })
    return { id: id as string, node }
  }
  const nodesInput = (kind: string) => async (c: string) => ({ query: `mutation($n: [String!]!, $c: String) { ${kind}(input: {nodes: $n, reason: "acl", cluster: $c}) ${PLAN} }`, variables: { n: [freshNode()], c } })

  /** A rollout of a fresh node of the first cluster (where rollouts run), waiting for a notBefore far ahead. */
  const rolloutOf = async (then: string[] = []) => {
    const id = (await as(`mutation($n: [String!]!) { planRollout(input: {nodes: $n, reason: "acl", notBefore: "2099-01-01T00:00:00Z", cluster: "${OWN}"}) { id } }`, { n: [freshNode()] })).planRollout.id as string
    for (const step of then) await as(`mutation($id: ID!) { ${step}(id: $id) { id } }`, { id })
    return id
  }
  const rolloutDoc = (mutation: string, setup: () => Promise<string>, args = '') => async () => ({ query: `mutation($id: ID!) { ${mutation}(id: $id${args}) { id status } }`, variables: { id: await setup() } })
  /** Rollouts run on the first cluster: these act on one by id whatever `c` is (the test below checks another cluster's token). */
  const ROLLOUT_ROWS: Record<string, () => Promise<{ query: string; variables?: Record<string, unknown> }>> = {
    rollout: async () => ({ query: `query($id: ID!) { rollout(id: $id) { id } }`, variables: { id: await rolloutOf() } }),
    rollouts: async () => ({ query: `{ rollouts(first: 2) { totalCount } }` }),
    approveRollout: rolloutDoc('approveRollout', () => rolloutOf()),
    startRollout: rolloutDoc('startRollout', () => rolloutOf()),
    pauseRollout: rolloutDoc('pauseRollout', () => rolloutOf(['startRollout'])),
    resumeRollout: rolloutDoc('resumeRollout', () => rolloutOf(['startRollout', 'pauseRollout'])),
    abortRollout: rolloutDoc('abortRollout', () => rolloutOf(), ', reason: "acl"'),
    discardRollout: rolloutDoc('discardRollout', () => rolloutOf()),
    completeMaintenance: async () => ({
      query: `mutation($id: ID!, $node: String!) { completeMaintenance(rolloutId: $id, node: $node) { id status } }`,
      variables: { id: await rolloutOf(['startRollout']), node: `gpu-${nextNode - 1}` },
    }),
  }

  /** Per operation: a document about cluster `c` that succeeds on a cluster the caller may use. */
  const ROWS: Record<string, (c: string) => Promise<{ query: string; variables?: Record<string, unknown> }>> = {
    auditEvents: async (c) => ({ query: `query($c: String) { auditEvents(first: 2, filter: {cluster: $c}) { totalCount } }`, variables: { c } }),
    clusters: async () => ({ query: `{ clusters { name } }` }),
    me: async () => ({ query: `{ me { subject clusters } }` }),
    node: async (c) => ({ query: `query($c: String) { node(name: "gpu-1", cluster: $c) { name } }`, variables: { c } }),
    nodes: async (c) => ({ query: `query($c: String) { nodes(cluster: $c) { name } }`, variables: { c } }),
    plan: async (c) => ({ query: `query($id: ID!) { plan(id: $id) { id } }`, variables: { id: await pendingPlan(c) } }),
    plans: async (c) => ({ query: `query($c: String) { plans(first: 2, cluster: $c) { totalCount } }`, variables: { c } }),
    systemNodes: async (c) => ({ query: `query($c: String) { systemNodes(cluster: $c) { ready } }`, variables: { c } }),
    healthSignals: async (c) => ({ query: `query($c: String) { healthSignals(cluster: $c) { node } }`, variables: { c } }),
    verifyAuditTrail: async () => ({ query: `{ verifyAuditTrail { ok } }` }),
    planDrain: nodesInput('planDrain'),
    planDecommission: nodesInput('planDecommission'),
    planUndrain: async (c) => ({ query: `mutation($n: [String!]!, $c: String) { planUndrain(input: {nodes: $n, reason: "acl", cluster: $c}) ${PLAN} }`, variables: { n: [(await appliedDrain(c)).node], c } }),
    planRejoin: nodesInput('planRejoin'),
    planRelabel: async (c) => ({ query: `mutation($node: String!, $c: String) { planRelabel(input: {node: $node, roles: [SYSTEM], reason: "acl", cluster: $c}) ${PLAN} }`, variables: { node: freshNode(), c } }),
    planRollback: async (c) => ({ query: `mutation($id: ID!) { planRollback(planId: $id, reason: "acl") ${PLAN} }`, variables: { id: (await appliedDrain(c)).id } }),
    approvePlan: async (c) => ({ query: `mutation($id: ID!) { approvePlan(id: $id) ${PLAN} }`, variables: { id: await pendingPlan(c, 'planDecommission') } }),
    applyPlan: async (c) => ({ query: `mutation($id: ID!) { applyPlan(id: $id) ${PLAN} }`, variables: { id: await pendingPlan(c) } }),
    discardPlan: async (c) => ({ query: `mutation($id: ID!) { discardPlan(id: $id) ${PLAN} }`, variables: { id: await pendingPlan(c) } }),
    reportNodeHealth: async (c) => ({ query: `mutation($c: String) { reportNodeHealth(input: {node: "gpu-1", source: "acl", code: "XID-13", severity: INFO, cluster: $c}) { node } }`, variables: { c } }),
    createJoinCommand: async (c) => ({ query: `mutation($c: String) { createJoinCommand(ttlHours: 1, cluster: $c) { tokenId } }`, variables: { c } }),
    planRollout: async (c) => ({ query: `mutation($n: [String!]!, $c: String) { planRollout(input: {nodes: $n, reason: "acl", cluster: $c}) { id } }`, variables: { n: [freshNode()], c } }),
    ...ROLLOUT_ROWS,
  }
  /** Refused by the operation's own rule on the caller's cluster (a rejoin needs a decommissioned node). */
  const REFUSED_BY_RULE: Record<string, string> = { planRejoin: 'BAD_USER_INPUT', completeMaintenance: 'PLAN_NOT_APPLICABLE' }
  /** Service-wide: no cluster to be refused for (rollouts: the first cluster's, whatever `c` says). */
  const SERVICE_WIDE = new Set(['clusters', 'me', 'verifyAuditTrail', ...Object.keys(ROLLOUT_ROWS)])

  beforeAll(async () => {
    fleet = await startTestFleet([OWN, OTHER], { simulator: { gpuNodes: 60, cpuNodes: 0 } })
    limited = fleet.tokens[`${OWN}-admin`]!.token
  })
  afterAll(async () => {
    await fleet?.close()
  })

  it('has a row for every query and mutation the server serves', async () => {
    const res = await fleet.gql(`{ __schema { queryType { fields { name } } mutationType { fields { name } } } }`, {}, TEST_TOKENS.viewer)
    const served = [...res.data.__schema.queryType.fields, ...res.data.__schema.mutationType.fields].map((f: { name: string }) => f.name).sort()
    expect(Object.keys(ROWS).sort()).toEqual(served)
  })

  it(`allows everything on ${OWN}, refuses everything about ${OTHER} with FORBIDDEN (plan(id) of it reads as null)`, async () => {
    const outcomes: Record<string, string> = {}
    const expected: Record<string, string> = {}
    for (const [field, doc] of Object.entries(ROWS)) {
      for (const cluster of [OWN, OTHER]) {
        const { query, variables } = await doc(cluster)
        const res = await fleet.gql(query, variables, limited)
        const key = `${field} @${cluster}`
        outcomes[key] = field === 'plan' && res.data?.plan === null ? '200 null' : outcome(res, field)
        expected[key] = cluster === OWN || SERVICE_WIDE.has(field) ? `200 ${REFUSED_BY_RULE[field] ?? 'ok'}` : field === 'plan' ? '200 null' : '200 FORBIDDEN'
      }
    }
    expect(outcomes).toEqual(expected)
  })

  it(`a token limited to ${OTHER} sees no rollout of ${OWN} and changes none`, async () => {
    const other = fleet.tokens[`${OTHER}-admin`]!.token
    const outcomes: Record<string, string> = {}
    for (const [field, doc] of Object.entries(ROLLOUT_ROWS)) {
      const { query, variables } = await doc()
      const res = await fleet.gql(query, variables, other)
      outcomes[field] = field === 'rollout' && res.data?.rollout === null ? '200 null' : field === 'rollouts' ? `${res.data?.rollouts.totalCount}` : outcome(res, field)
    }
    const planned = await fleet.gql(`mutation($n: [String!]!, $c: String) { planRollout(input: {nodes: $n, reason: "acl", cluster: $c}) { id } }`, { n: [freshNode()], c: OWN }, other)
    outcomes.planRollout = outcome(planned, 'planRollout')
    // Nor can it follow one: the rollout is not there for this token, as rollout(id) answers.
    const ws = createClient({ url: fleet.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${other}` }, retryAttempts: 0 })
    const rolloutId = await rolloutOf()
    outcomes.rolloutProgress = await new Promise<string>((resolve) => {
      ws.subscribe({ query: `subscription($id: ID!) { rolloutProgress(id: $id) { id } }`, variables: { id: rolloutId } }, {
        next: (value) => resolve(String(value.errors?.[0]?.extensions?.code ?? 'data')),
        error: (error) => resolve(String(error)),
        complete: () => resolve('complete'),
      })
    })
    await ws.dispose()
    expect(outcomes).toEqual({
      ...Object.fromEntries(Object.keys(ROLLOUT_ROWS).map((f) => [f, '200 FORBIDDEN'])),
      rollout: '200 null',
      rollouts: '0',
      planRollout: '200 FORBIDDEN',
      rolloutProgress: 'NOT_FOUND',
    })
  })

  it('shows the limited token only its cluster and the service-wide events', async () => {
    const res = await fleet.gql(`{ clusters { name } me { clusters } nodes { cluster } auditEvents(first: 500) { edges { node { cluster } } } }`, {}, limited)
    expect(res.data.clusters).toEqual([{ name: OWN }])
    expect(res.data.me.clusters).toEqual([OWN])
    expect(new Set(res.data.nodes.map((n: { cluster: string }) => n.cluster))).toEqual(new Set([OWN]))
    const clusters = new Set(res.data.auditEvents.edges.map((e: { node: { cluster: string | null } }) => e.node.cluster))
    expect(clusters.has(OTHER)).toBe(false)
    expect(clusters.has(OWN)).toBe(true)
  })
})
