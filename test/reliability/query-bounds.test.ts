// The outside review's two alias attacks, sent over HTTP as a viewer: 8,000 aliases of an
// introspection selection (it answered 53 MB and took the process to 2.1 GB) and 10,000 aliases
// of `me` (the event loop blocked 3.4 s). Each must be refused before anything runs. Then the
// per-request bounds on a query's time and a response's size, on a server with a schema of its own.
import { getIntrospectionQuery, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from 'graphql-ws'
import { WebSocket } from 'ws'
import type { PlanProgress } from '../../src/app/plan-progress.js'
import { createLogger } from '../../src/logger.js'
import { startHttpServer, type RunningHttpServer } from '../../src/server/http-server.js'
import { startSubscriptionServer } from '../../src/server/subscriptions.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { recordFigure } from './figures.js'

const aliases = (n: number, selection: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${selection}`).join(' ')} }`

describe('alias and introspection attacks over HTTP', () => {
  let np: TestNodeplan
  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
  })
  afterAll(async () => {
    await np?.close()
  })

  /** The server runs in this process: its resident memory and the request's time are printed for RELIABILITY.md. */
  const refused = async (query: string, message: RegExp, figure?: string) => {
    const rssBefore = process.memoryUsage().rss
    const started = performance.now()
    const res = await np.gql(query, {}, TEST_TOKENS.viewer)
    if (figure) {
      const rssAfter = process.memoryUsage().rss
      recordFigure(figure, { requestBytes: query.length, ms: Math.round(performance.now() - started), rssBeforeMb: Math.round(rssBefore / 2 ** 20), rssAfterMb: Math.round(rssAfter / 2 ** 20) })
    }
    expect(res.status).toBe(400)
    expect(res.data).toBeUndefined()
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    expect(res.errors?.[0]?.message).toMatch(message)
  }

  it('refuses 8,000 aliases of an introspection selection (over 400 KB, as the review sent) unparsed', async () => {
    const query = aliases(8000, '__schema { types { name fields { name type { name } } } }')
    expect(query.length).toBeGreaterThan(400_000)
    await refused(query, /Document contains more th.. 4000 tokens/, 'alias attack: 8,000 introspection aliases')
  })

  it('refuses 10,000 aliases of `me` unparsed', async () => {
    await refused(aliases(10_000, 'me { subject }'), /Document contains more th.. 4000 tokens/, 'alias attack: 10,000 aliases of me')
  })

  it('refuses what fits in the tokens but selects too many fields, or costs too much as introspection', async () => {
    await refused(aliases(600, 'me { subject }'), /selects more than 500 fields/)
    // __schema { types } is costed as the 49 types it answers: each alias costs 1 + 49 × 20 = 981 for
    // 22 fields, so 21 of them cost more than the limit.
    const twenty = Array.from({ length: 20 }, (_, i) => `n${i}: name`).join(' ')
    await refused(aliases(25, `__schema { types { ${twenty} } }`), /costs more than 20000/)
  })

  it('still answers the full introspection query (GraphiQL\'s) and a few hundred fields', async () => {
    const res = await np.gql(getIntrospectionQuery(), {}, TEST_TOKENS.viewer)
    expect(res.errors).toBeUndefined()
    expect(res.data.__schema.types.length).toBeGreaterThan(40)
    const many = await np.gql(aliases(200, 'me { subject }'), {}, TEST_TOKENS.viewer)
    expect(many.errors).toBeUndefined()
    expect(many.data.a199.subject).toBe('viewer')
  })
})

describe('bounds on one request: a query\'s time and a response\'s size', () => {
  let server: RunningHttpServer
  const logs: string[] = []
  beforeAll(async () => {
    const after = (ms: number, value: string) => () => new Promise((resolve) => setTimeout(() => resolve(value), ms))
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          slow: { type: GraphQLString, resolve: after(2_000, 'late') },
          big: {
            type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLString))),
            args: { mb: { type: new GraphQLNonNull(GraphQLInt) } },
            resolve: (_: unknown, { mb }: { mb: number }) => Array.from({ length: mb * 16 }, () => 'x'.repeat(64 * 1024)),
          },
        },
      }),
      mutation: new GraphQLObjectType({ name: 'Mutation', fields: { slow: { type: GraphQLString, resolve: after(1_000, 'done') } } }),
    })
    const log = createLogger({ write: (line) => logs.push(line) })
    const bounds = { maxRequestMs: 300, maxResponseBytes: 2 * 1024 * 1024 }
    // No planProgress subscription in this schema: nothing reads it.
    const subscriptions = startSubscriptionServer({ schema, auth: null, log, planProgress: {} as PlanProgress, bounds })
    server = await startHttpServer({ host: '127.0.0.1', port: 0, schema, auth: null, log, readiness: [], bounds, subscriptions })
  })
  afterAll(async () => {
    await server?.close(0)
  })
  const post = (query: string) =>
    fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })

  it('answers a query still running after --max-request-seconds with BAD_USER_INPUT, and lets a mutation finish', async () => {
    const res = (await (await post('{ slow }')).json()) as any
    expect(res.data ?? null).toBeNull()
    expect(res.errors[0].extensions.code).toBe('BAD_USER_INPUT')
    expect(res.errors[0].message).toContain('ran longer than 0.3 s')
    const mutation = (await (await post('mutation { slow }')).json()) as any
    expect(mutation.data.slow).toBe('done')
  })

  it('cuts a response larger than --max-response-mb (the client sees a failed read, never a short answer), and logs it', async () => {
    const small = (await (await post('{ big(mb: 1) }')).json()) as any
    expect(small.data.big).toHaveLength(16)
    await expect(post('{ big(mb: 4) }').then((res) => res.text())).rejects.toThrow()
    expect(logs.some((l) => l.includes('response cut: larger than --max-response-mb'))).toBe(true)
  })

  it('holds the same bounds for a query sent over the websocket', async () => {
    const client = createClient({ url: server.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, retryAttempts: 0, lazy: true })
    const ask = (query: string) =>
      new Promise<any>((resolve) => client.subscribe({ query }, { next: resolve, error: (error) => resolve({ error }), complete: () => {} }))
    try {
      const slow = await ask('{ slow }')
      expect(slow.errors[0].extensions.code).toBe('BAD_USER_INPUT')
      expect(slow.errors[0].message).toContain('ran longer than 0.3 s')
      const big = await ask('{ big(mb: 4) }')
      expect(big.data ?? null).toBeNull()
      expect(big.errors[0].message).toContain('larger than 2097152 bytes')
      expect((await ask('{ big(mb: 1) }')).data.big).toHaveLength(16)
    } finally {
      await client.dispose()
    }
  })
})
