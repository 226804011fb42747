import { createClient, type Client } from 'graphql-ws'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

const PROGRESS = `subscription($id: ID!) { planProgress(id: $id) { planId index change { address node applied error } } }`

describe('planProgress over graphql-ws on /graphql', () => {
  let np: TestNodeplan
  const clients: Client[] = []
  const client = (token?: string) => {
    const c = createClient({
      url: np.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
      lazy: true,
    })
    clients.push(c)
    return c
  }
  /** Every `next` payload until complete, or the error the subscription ended with. */
  const collect = (c: Client, id: string, onStarted?: () => void) =>
    new Promise<{ events: any[]; error?: any }>((resolve) => {
      const events: any[] = []
      c.subscribe(
        { query: PROGRESS, variables: { id } },
        {
          next: (value) => {
            if (value.errors) return resolve({ events, error: value.errors })
            events.push(value.data!.planProgress)
          },
          error: (error) => resolve({ events, error }),
          complete: () => resolve({ events }),
        },
      )
      onStarted?.()
    })
  const planDrain = async (nodes: string[]) => {
    const res = await np.gql(`mutation($n: [String!]!) { planDrain(input: {nodes: $n, reason: "CHG-7"}) { id changes { address } } }`, { n: nodes }, TEST_TOKENS.operator)
    expect(res.errors).toBeUndefined()
    return res.data.planDrain as { id: string; changes: { address: string }[] }
  }
  const apply = (id: string) => np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id }, TEST_TOKENS.operator)

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
  })
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()))
    await np?.close()
  })

  it('a viewer follows an apply change by change; the subscription completes when the plan is APPLIED', async () => {
    const plan = await planDrain(['gpu-3', 'gpu-4'])
    const viewer = client(TEST_TOKENS.viewer)
    // Wait until the server has the subscription: the connection is acknowledged and a query answered on it.
    await new Promise<void>((resolve, reject) => viewer.subscribe({ query: '{ me { subject role } }' }, { next: (v) => expect(v.data).toEqual({ me: { subject: 'viewer', role: 'viewer' } }), error: reject, complete: resolve }))
    const following = collect(viewer, plan.id)
    const applied = await apply(plan.id)
    expect(applied.data.applyPlan.status).toBe('APPLIED')
    const { events, error } = await following
    expect(error).toBeUndefined()
    expect(events.map((e) => e.index).sort()).toEqual([0, 1])
    expect(events.map((e) => e.change.address).sort()).toEqual(plan.changes.map((c) => c.address).sort())
    for (const e of events) expect(e).toMatchObject({ planId: plan.id, change: { applied: true, error: null } })
  })

  it('a subscriber arriving after the apply gets the recorded changes and completes', async () => {
    const plan = await planDrain(['gpu-5'])
    await apply(plan.id)
    const { events, error } = await collect(client(TEST_TOKENS.viewer), plan.id)
    expect(error).toBeUndefined()
    expect(events).toEqual([{ planId: plan.id, index: 0, change: { address: plan.changes[0]!.address, node: 'gpu-5', applied: true, error: null } }])
  })

  it('a subscription to a plan that is then discarded completes with no events', async () => {
    const plan = await planDrain(['gpu-6'])
    const viewer = client(TEST_TOKENS.viewer)
    await new Promise<void>((resolve, reject) => viewer.subscribe({ query: '{ me { subject } }' }, { next: () => {}, error: reject, complete: resolve }))
    const following = collect(viewer, plan.id)
    const discarded = await np.gql(`mutation($id: ID!) { discardPlan(id: $id) { status } }`, { id: plan.id }, TEST_TOKENS.operator)
    expect(discarded.data.discardPlan.status).toBe('DISCARDED')
    expect(await following).toEqual({ events: [] })
  })

  it('an unknown plan is NOT_FOUND', async () => {
    const { events, error } = await collect(client(TEST_TOKENS.viewer), 'plan-does-not-exist')
    expect(events).toEqual([])
    expect(error[0].extensions.code).toBe('NOT_FOUND')
  })

  it('refuses a connection without a known bearer token (4403)', async () => {
    for (const token of [undefined, 'not-a-token-0123456789']) {
      const { error } = await collect(client(token), 'plan-x')
      expect(error).toMatchObject({ code: 4403 })
    }
  })
})
