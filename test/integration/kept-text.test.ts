// The HTTP API answers queries of the nodes list from kept JSON text, made by graphql-jit
// (src/server/query-runner.ts, list-answer-cache.ts), and everything else with graphql-js. Here
// every kind of operation a portal sends is run both ways, over HTTP (twice: made, then kept) and
// with graphql-js's own execute on the same schema, resolvers and caller: the answers must be the same.
import { execute, parse } from 'graphql'
import { createClient } from 'graphql-ws'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../../src/auth.js'
import { createLogger } from '../../src/logger.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

const NODE_FIELDS = `name roles ready notReadySince unschedulable draining gpus gpusInUse taints { key value effect } labels { key value }
  workloads { namespace name kind relocation project gpus pods }`

const PLAN_FIELDS = `id kind status reason createdBy approvedBy appliedBy createdAt appliedAt diff
  changes { address action before after applied error }
  impact { nodes gpus readySystemNodesAfter automaticallyRescheduled { name kind pods } manualRelocation { name kind } }`

interface Case {
  name: string
  query: string
  variables?: Record<string, unknown>
  as?: keyof typeof TEST_TOKENS
}

const CASES: Case[] = [
  { name: 'every node with every field', query: `{ nodes { ${NODE_FIELDS} } }` },
  { name: 'a filter, aliases, a fragment and __typename', query: `query($r: [NodeRole!]) { gpu: nodes(filter: { roles: $r }) { ...N __typename } sys: nodes(filter: { roles: [SYSTEM] }) { name } } fragment N on Node { name gpusInUse }`, variables: { r: ['GPU_WORKER'] } },
  { name: '@include and @skip from variables', query: `query($w: Boolean!, $t: Boolean!) { nodes { name workloads @include(if: $w) { name } taints @skip(if: $t) { key } } }`, variables: { w: true, t: true } },
  { name: 'one node with its plans', query: `{ node(name: "gpu-1") { name plans(first: 5) { ${PLAN_FIELDS} } } missing: node(name: "no-such-node") { name } }` },
  { name: 'plans, paged', query: `{ plans(first: 1) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id kind status } } } }` },
  { name: 'the audit trail, filtered', query: `{ auditEvents(first: 3, filter: { node: "gpu-1" }) { totalCount edges { node { id action actor node planId at detail } } } }` },
  { name: 'the caller and the system nodes', query: `{ me { subject role } systemNodes { ready nodes warning } }`, as: 'viewer' },
  { name: 'a resolver refusing bad input, beside data', query: `{ me { subject } auditEvents(first: 1000) { totalCount } }` },
  { name: 'a mutation the role may not run', query: `mutation { planDrain(input: { nodes: ["gpu-2"], reason: "not mine" }) { id } }`, as: 'viewer' },
  { name: 'introspection', query: `{ __schema { queryType { name } types { name kind } } __type(name: "Workload") { fields { name type { kind name ofType { name } } } } }` },
]

describe('answers from kept text', () => {
  let np: TestNodeplan
  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
    const plan = await np.gql(`mutation { planDrain(input: { nodes: ["gpu-1"], reason: "compare executors" }) { id } }`, {}, TEST_TOKENS.operator)
    expect(plan.errors).toBeUndefined()
  })
  afterAll(async () => {
    await np?.close()
  })

  it.each(CASES)('answers $name as graphql-js does', async ({ query, variables = {}, as = 'admin' }) => {
    const overHttp = await np.gql(query, variables, TEST_TOKENS[as])
    expect(await np.gql(query, variables, TEST_TOKENS[as])).toEqual(overHttp)
    const principal: Principal = { subject: as, role: as === 'operator2' ? 'operator' : as }
    const direct = await execute({
      schema: np.app.schema,
      document: parse(query),
      variableValues: variables,
      contextValue: { principal, requestId: 'compare', log: createLogger({ level: 'error', write: () => {} }) },
    })
    expect(overHttp.data ?? null).toEqual(JSON.parse(JSON.stringify(direct.data ?? null)))
    expect((overHttp.errors ?? []).map((e) => [e.message, (e as { path?: unknown }).path])).toEqual((direct.errors ?? []).map((e) => [e.message, e.path]))
  })

  it('answers the nodes list over the websocket as over HTTP, from the same runner', async () => {
    const query = `{ nodes { ${NODE_FIELDS} } }`
    const client = createClient({ url: np.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { Authorization: `Bearer ${TEST_TOKENS.viewer}` } })
    try {
      const overWs = await new Promise<any>((resolve, reject) => client.subscribe({ query }, { next: resolve, error: reject, complete: () => {} }))
      const overHttp = await np.gql(query, {}, TEST_TOKENS.viewer)
      expect(overWs.errors).toBeUndefined()
      expect(overWs.data.nodes.length).toBeGreaterThan(0)
      expect(overWs.data).toEqual(overHttp.data)
    } finally {
      await client.dispose()
    }
  })

  it('has something to compare: nodes with workloads, a plan, audit events and refusals', async () => {
    const res = await np.gql(`{ nodes { workloads { name } } plans { totalCount } auditEvents { totalCount } }`, {}, TEST_TOKENS.viewer)
    expect(res.data.nodes.flatMap((n: { workloads: unknown[] }) => n.workloads).length).toBeGreaterThan(5)
    expect(res.data.plans.totalCount).toBe(1)
    expect(res.data.auditEvents.totalCount).toBeGreaterThan(0)
    const refused = await np.gql(CASES.find((c) => c.as === 'viewer' && c.query.startsWith('mutation'))!.query, {}, TEST_TOKENS.viewer)
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
  })
})
