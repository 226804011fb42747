import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../support/eventually.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js'

const SECRET = 'test-webhook-secret-0123456789'
const { operator, approver } = TEST_TOKENS

describe('events out: plan lifecycle to signed CloudEvents webhooks, from the outbox', () => {
  let np: TestNodeplan
  let receiver: WebhookReceiver

  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET)
    // The first two attempts at /ops fail: the deliverer retries, in order, with backoff.
    receiver.answer = (req) => (req.path === '/ops' && receiver.requests.filter((r) => r.path === '/ops').length < 2 ? 503 : 200)
    np = await startTestNodeplan({
      tokens: true,
      policy: { requireApproval: ['DRAIN'] },
      webhooks: {
        source: 'urn:nodeplan:test',
        webhooks: [
          { name: 'ops', url: `${receiver.url}/ops`, secretEnv: 'OPS_SECRET', events: ['io.nodeplan.plan.*'] },
          { name: 'chat', url: `${receiver.url}/chat`, secretEnv: 'OPS_SECRET', events: ['io.nodeplan.plan.approval.needed'], format: 'slack' },
        ],
      },
      env: { OPS_SECRET: SECRET },
      overrides: { events: { pollIntervalMs: 20, baseDelayMs: 20, maxDelayMs: 100 } },
    })
  })
  afterAll(async () => {
    await np?.close()
    await receiver?.close()
  })

  it('delivers created, approval needed, approved, applying, applied and rolled back, each once, signed and in order', async () => {
    const drain = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-1"], reason: "CHG-7 swap GPU"}) { id } }`, {}, operator)
    const id = drain.data.planDrain.id as string
    expect((await np.gql(`mutation($id: ID!) { approvePlan(id: $id) { status } }`, { id }, approver)).data.approvePlan.status).toBe('APPROVED')
    expect((await np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id }, operator)).data.applyPlan.status).toBe('APPLIED')
    const back = await np.gql(`mutation($id: ID!) { planRollback(planId: $id, reason: "undo") { id } }`, { id }, operator)
    const rollbackId = back.data.planRollback.id as string
    expect((await np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: rollbackId }, operator)).data.applyPlan.status).toBe('APPLIED')

    const expected = [
      ['io.nodeplan.plan.created', id],
      ['io.nodeplan.plan.approval.needed', id],
      ['io.nodeplan.plan.approved', id],
      ['io.nodeplan.plan.applying', id],
      ['io.nodeplan.plan.applied', id],
      ['io.nodeplan.plan.created', rollbackId],
      ['io.nodeplan.plan.applying', rollbackId],
      ['io.nodeplan.plan.applied', rollbackId],
      ['io.nodeplan.plan.rolledback', rollbackId],
    ]
    await eventually(() => expect(receiver.accepted('/ops').map((r) => [r.json.type, r.json.subject])).toEqual(expected), 15_000)

    const ops = receiver.requests.filter((r) => r.path === '/ops')
    expect(ops.every((r) => r.signatureOk)).toBe(true)
    // The two refused attempts were the first event, sent again with the same id.
    expect(ops.slice(0, 3).map((r) => r.answered)).toEqual([503, 503, 200])
    expect(new Set(ops.slice(0, 3).map((r) => r.json.id)).size).toBe(1)
    const accepted = receiver.accepted('/ops')
    expect(new Set(accepted.map((r) => r.json.id)).size).toBe(expected.length)
    expect(accepted[0]!.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8')
    expect(accepted[0]!.headers['nodeplan-event-id']).toBe(accepted[0]!.json.id)
    expect(accepted[0]!.json).toMatchObject({
      specversion: '1.0',
      source: 'urn:nodeplan:test',
      type: 'io.nodeplan.plan.created',
      subject: id,
      datacontenttype: 'application/json',
      data: { action: 'plan.created', actor: 'operator', planId: id, node: 'gpu-1', detail: { kind: 'DRAIN', nodes: ['gpu-1'], reason: 'CHG-7 swap GPU', needsApproval: true } },
    })
    expect(Date.parse(accepted[0]!.json.time)).not.toBeNaN()
    // The audit event behind it: the CloudEvent id is the audit event's id.
    const audit = await np.gql(`query($id: ID!) { auditEvents(filter: {planId: $id, action: "plan.created"}) { edges { node { id } } } }`, { id }, operator)
    expect(accepted[0]!.json.id).toBe(audit.data.auditEvents.edges[0].node.id)

    await eventually(() => expect(receiver.accepted('/chat')).toHaveLength(1), 5_000)
    const chat = receiver.accepted('/chat')[0]!
    expect(chat.signatureOk).toBe(true)
    expect(chat.json).toEqual({ text: `nodeplan: DRAIN plan ${id} of gpu-1 needs approval (by operator): CHG-7 swap GPU` })

    const metrics = await (await fetch(`${np.url}/metrics`)).text()
    expect(metrics).toMatch(/nodeplan_event_deliveries_total\{webhook="ops",type="io.nodeplan.plan.created",outcome="failed"\} 2/)
    expect(metrics).toMatch(/nodeplan_event_deliveries_total\{webhook="ops",type="io.nodeplan.plan.rolledback",outcome="delivered"\} 1/)
  })
})
