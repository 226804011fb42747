// Plans that change nothing are stored as NO_CHANGES, not left PENDING; PENDING and APPROVED plans
// older than policy.planMaxAgeHours expire (DISCARDED, audit plan.expired), once each, whichever
// replica's sweep gets there first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PlanExpiry } from '../../src/app/plan-expiry.js'
import { createLogger } from '../../src/logger.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

const { operator, approver, viewer } = TEST_TOKENS
const HOUR = 3_600_000

describe('plans that change nothing, and plans nobody applied', () => {
  let np: TestNodeplan
  const gql = async (query: string, token: string = operator) => np.gql(query, {}, token)
  const planDrain = async (node: string) => (await gql(`mutation { planDrain(input: {nodes: ["${node}"], reason: "CHG-9"}) { id status } }`)).data.planDrain
  const status = async (id: string) => (await gql(`{ plan(id: "${id}") { status } }`, viewer)).data.plan.status
  const expiredEvents = async () =>
    (await gql(`{ auditEvents(filter: {action: "plan.expired"}, first: 100) { edges { node { actor planId node detail } } } }`, viewer)).data.auditEvents.edges.map((e: any) => e.node)

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true, policy: { requireApproval: ['DECOMMISSION'], planMaxAgeHours: 48 } })
  })
  afterAll(async () => {
    await np?.close()
  })

  it('an undrain of a node that is not drained is stored as NO_CHANGES: nothing to approve, apply or discard', async () => {
    const res = await gql(`mutation { planUndrain(input: {nodes: ["gpu-4"], reason: "nothing to do"}) { id status diff } }`)
    const plan = res.data.planUndrain
    expect(plan.status).toBe('NO_CHANGES')
    expect(plan.diff).toContain('No changes.')
    for (const [mutation, token] of [['approvePlan', approver], ['applyPlan', operator], ['discardPlan', operator]] as const) {
      const refused = await gql(`mutation { ${mutation}(id: "${plan.id}") { status } }`, token)
      expect(refused.errors?.[0]?.extensions?.code, mutation).toBe('PLAN_NOT_APPLICABLE')
    }
    expect(await status(plan.id)).toBe('NO_CHANGES')
    const created = await gql(`{ auditEvents(filter: {planId: "${plan.id}"}) { edges { node { action detail } } } }`, viewer)
    expect(created.data.auditEvents.edges.map((e: any) => [e.node.action, e.node.detail.status])).toEqual([['plan.created', 'NO_CHANGES']])
  })

  it('expires PENDING and APPROVED plans past their age, once, across two sweepers racing; leaves younger and final plans', async () => {
    const pending = await planDrain('gpu-1')
    const approved = (await gql(`mutation { planDecommission(input: {nodes: ["gpu-2"], reason: "EOL"}) { id } }`)).data.planDecommission
    expect((await gql(`mutation { approvePlan(id: "${approved.id}") { status } }`, approver)).data.approvePlan.status).toBe('APPROVED')
    const discarded = await planDrain('gpu-3')
    await gql(`mutation { discardPlan(id: "${discarded.id}") { status } }`)

    const { services } = np.app
    // Not yet: 47 hours on.
    expect(await services.expiry.expire(new Date(Date.now() + 47 * HOUR))).toEqual([])
    expect(await status(pending.id)).toBe('PENDING')

    // Two replicas' sweepers over the same database at the same moment: each plan expires once.
    const other = new PlanExpiry(np.app.db.plans, { planMaxAgeHours: 48 }, { now: () => new Date() }, createLogger({ level: 'error', write: () => {} }))
    const at = new Date(Date.now() + 49 * HOUR)
    const [a, b] = await Promise.all([services.expiry.expire(at), other.expire(at)])
    expect([...a, ...b].map((p) => p.id).sort()).toEqual([pending.id, approved.id].sort())
    expect(await status(pending.id)).toBe('DISCARDED')
    expect(await status(approved.id)).toBe('DISCARDED')
    expect(await status(discarded.id)).toBe('DISCARDED')

    const events = await expiredEvents()
    expect(events).toHaveLength(2)
    expect(events.find((e: any) => e.planId === pending.id)).toMatchObject({ actor: 'system', node: 'gpu-1', detail: { kind: 'DRAIN', reason: 'CHG-9', status: 'PENDING', maxAgeHours: 48 } })
    expect(events.find((e: any) => e.planId === approved.id)).toMatchObject({ actor: 'system', detail: { kind: 'DECOMMISSION', status: 'APPROVED' } })
    // An expired plan cannot be applied.
    expect((await gql(`mutation { applyPlan(id: "${pending.id}") { status } }`)).errors?.[0]?.extensions?.code).toBe('PLAN_NOT_APPLICABLE')
    // A later sweep finds nothing more.
    expect(await services.expiry.expire(new Date(Date.now() + 100 * HOUR))).toEqual([])
    expect(await expiredEvents()).toHaveLength(2)
  })
})
