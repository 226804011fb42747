import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js'
import { eventually } from '../support/eventually.js'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

const { operator, approver, viewer } = TEST_TOKENS
const SIGNAL_FIELDS = 'node source code severity message count state outcome planId firstAt lastAt'

const postSignal = async (np: TestNodeplan, body: unknown, token?: string) => {
  const res = await fetch(`${np.url}/signals`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as any }
}

const report = (np: TestNodeplan, input: Record<string, unknown>, token = operator) =>
  np.gql(`mutation($input: NodeHealthInput!) { reportNodeHealth(input: $input) { ${SIGNAL_FIELDS} } }`, { input }, token)

describe('health signals in: signal -> proposed DRAIN -> approval -> apply, and the UNDRAIN once it clears', () => {
  let np: TestNodeplan

  beforeAll(async () => {
    np = await startTestNodeplan({
      tokens: true,
      policy: {
        requireApproval: ['DRAIN'],
        signals: {
          rules: [
            { source: 'dcgm', code: 'XID-*', minSeverity: 'WARNING', action: 'PROPOSE_DRAIN' },
            { action: 'RECORD' },
          ],
          stormGuard: { maxNodes: 5, maxPercent: 100, windowSeconds: 3600 },
        },
      },
    })
  })
  afterAll(async () => {
    await np?.close()
  })

  it('proposes one DRAIN with the evidence for repeated reports of one fault, applied after approval', async () => {
    const first = await report(np, { node: 'gpu-1', source: 'dcgm', code: 'XID-79', severity: 'CRITICAL', message: 'GPU 3 has fallen off the bus' })
    expect(first.errors).toBeUndefined()
    expect(first.data.reportNodeHealth).toMatchObject({ node: 'gpu-1', state: 'ACTIVE', outcome: 'PROPOSED', count: 1 })
    const planId = first.data.reportNodeHealth.planId as string
    expect(planId).toMatch(/^plan-/)

    const again = await report(np, { node: 'gpu-1', source: 'dcgm', code: 'XID-79', severity: 'CRITICAL', message: 'GPU 3 has fallen off the bus (again)' })
    expect(again.data.reportNodeHealth).toMatchObject({ outcome: 'PROPOSED', count: 2, planId })
    const drains = await np.gql(`{ plans(node: "gpu-1") { edges { node { id kind status createdBy reason } } } }`, {}, viewer)
    expect(drains.data.plans.edges.map((e: any) => e.node)).toEqual([
      { id: planId, kind: 'DRAIN', status: 'PENDING', createdBy: 'system', reason: expect.stringContaining('health signal: dcgm XID-79 (CRITICAL) on gpu-1 since') },
    ])
    expect(drains.data.plans.edges[0].node.reason).toContain('GPU 3 has fallen off the bus')

    expect((await np.gql(`mutation($id: ID!) { approvePlan(id: $id) { status } }`, { id: planId }, approver)).data.approvePlan.status).toBe('APPROVED')
    expect((await np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: planId }, operator)).data.applyPlan.status).toBe('APPLIED')
    const node = await np.gql(`{ node(name: "gpu-1") { taints { key value effect } } }`, {}, viewer)
    expect(node.data.node.taints).toContainEqual(expect.objectContaining({ key: 'runai', value: 'drain' }))

    // The tool says the fault is over, over the plain JSON endpoint: the UNDRAIN is proposed.
    const cleared = await postSignal(np, { node: 'gpu-1', source: 'dcgm', code: 'XID-79', severity: 'INFO', message: 'GPU replaced', cleared: true }, operator)
    expect(cleared.status).toBe(200)
    expect(cleared.body.signal).toMatchObject({ node: 'gpu-1', state: 'CLEARED', planId })
    const undrain = await np.gql(`{ plans(node: "gpu-1", status: [PENDING]) { edges { node { kind createdBy reason } } } }`, {}, viewer)
    expect(undrain.data.plans.edges.map((e: any) => e.node)).toEqual([
      { kind: 'UNDRAIN', createdBy: 'system', reason: `health signal cleared: dcgm XID-79 on gpu-1; lifts the drain of plan ${planId}` },
    ])
  })

  it('records a signal no rule asks to act on, and one below the rule\'s severity, without proposing', async () => {
    const info = await report(np, { node: 'gpu-2', source: 'dcgm', code: 'XID-13', severity: 'INFO', message: 'graphics engine exception' })
    expect(info.data.reportNodeHealth).toMatchObject({ outcome: 'RECORDED', planId: null })
    const other = await postSignal(np, { node: 'gpu-2', source: 'npd', code: 'KernelDeadlock', severity: 'CRITICAL', message: 'task blocked' }, operator)
    expect(other.body.signal).toMatchObject({ outcome: 'RECORDED', planId: null })
    const plans = await np.gql(`{ plans(node: "gpu-2") { totalCount } }`, {}, viewer)
    expect(plans.data.plans.totalCount).toBe(0)
    const audit = await np.gql(`{ auditEvents(filter: {node: "gpu-2", action: "signal.received"}) { totalCount edges { node { actor detail } } } }`, {}, viewer)
    expect(audit.data.auditEvents.totalCount).toBe(2)
    expect(audit.data.auditEvents.edges[0].node).toMatchObject({ actor: 'operator', detail: { source: 'npd', code: 'KernelDeadlock', action: 'RECORD' } })
  })

  it('refuses bad and unauthorised reports with a code, storing nothing', async () => {
    const before = (await np.gql(`{ healthSignals { node } }`, {}, viewer)).data.healthSignals.length
    expect((await postSignal(np, { node: 'gpu-3', source: 'dcgm', code: 'XID-79', severity: 'CRITICAL' })).status).toBe(401)
    const asViewer = await postSignal(np, { node: 'gpu-3', source: 'dcgm', code: 'XID-79', severity: 'CRITICAL' }, viewer)
    expect([asViewer.status, asViewer.body.errors[0].extensions.code]).toEqual([403, 'FORBIDDEN'])
    const badSeverity = await postSignal(np, { node: 'gpu-3', source: 'dcgm', code: 'XID-79', severity: 'FATAL' }, operator)
    expect([badSeverity.status, badSeverity.body.errors[0].extensions.code, badSeverity.body.errors[0].extensions.field]).toEqual([400, 'BAD_USER_INPUT', 'severity'])
    const unknownNode = await postSignal(np, { node: 'gpu-404', source: 'dcgm', code: 'XID-79', severity: 'CRITICAL' }, operator)
    expect([unknownNode.status, unknownNode.body.errors[0].message]).toEqual([400, 'no node named "gpu-404" in the cluster'])
    const extra = await postSignal(np, { node: 'gpu-3', source: 'dcgm', code: 'XID-79', severity: 'CRITICAL', gpu: 3 }, operator)
    expect([extra.status, extra.body.errors[0].message]).toEqual([400, 'unknown field "gpu" (known: cluster, node, source, code, severity, message, time, cleared)'])
    const future = await report(np, { node: 'gpu-3', source: 'dcgm', code: 'XID-79', severity: 'CRITICAL', time: new Date(Date.now() + 3600_000).toISOString() })
    expect(future.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    expect((await postSignal(np, {}, operator)).status).toBe(400)
    expect((await np.gql(`{ healthSignals { node } }`, {}, viewer)).data.healthSignals.length).toBe(before)
  })
})

describe('the storm guard', () => {
  let np: TestNodeplan
  let sim: RunningSimulator
  let receiver: WebhookReceiver

  beforeAll(async () => {
    receiver = await startWebhookReceiver('storm-webhook-secret-0123456789')
    sim = await startSimulator({ port: 0 })
    // The window is on the cluster's clock, which the test advances.
    np = await startTestNodeplan({
      sim,
      overrides: { clock: sim.sim.clock, events: { pollIntervalMs: 20 } },
      webhooks: { webhooks: [{ name: 'chat', url: `${receiver.url}/chat`, secretEnv: 'CHAT_SECRET', events: ['io.nodeplan.signal.held'], format: 'slack' }] },
      env: { CHAT_SECRET: 'storm-webhook-secret-0123456789' },
      tokens: true,
      policy: { signals: { rules: [{ code: 'XID-*', action: 'PROPOSE_DRAIN' }], stormGuard: { maxNodes: 2, maxPercent: 100, windowSeconds: 600 } } },
    })
  })
  afterAll(async () => {
    await np?.close()
    await sim?.close()
    await receiver?.close()
  })

  it('proposes at most maxNodes drains within the window; the rest are held, listed and audited, and proposed once the window has passed', async () => {
    const outcomes: string[] = []
    for (const node of ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4']) {
      const res = await postSignal(np, { node, source: 'nvsentinel', code: 'XID-48', severity: 'CRITICAL', message: 'double-bit ECC error' }, operator)
      expect(res.status).toBe(200)
      outcomes.push(res.body.signal.outcome)
    }
    expect(outcomes).toEqual(['PROPOSED', 'PROPOSED', 'HELD', 'HELD'])
    const held = await np.gql(`{ healthSignals(outcome: HELD) { node planId } }`, {}, viewer)
    expect(held.data.healthSignals.map((s: any) => s.node).sort()).toEqual(['gpu-3', 'gpu-4'])
    expect(held.data.healthSignals.every((s: any) => s.planId === null)).toBe(true)
    const pending = await np.gql(`{ plans(status: [PENDING]) { totalCount } }`, {}, viewer)
    expect(pending.data.plans.totalCount).toBe(2)
    const audit = await np.gql(`{ auditEvents(filter: {action: "signal.held"}) { totalCount edges { node { node detail } } } }`, {}, viewer)
    expect(audit.data.auditEvents.totalCount).toBe(2)
    expect(audit.data.auditEvents.edges[0].node.detail).toMatchObject({ code: 'XID-48', stormGuard: { maxNodes: 2, maxPercent: 100, windowSeconds: 600 } })

    // The chat channel hears of what was held back.
    await eventually(() => expect(receiver.accepted('/chat').map((r) => r.json.text)).toEqual([
      'nodeplan: health signal held back by the storm guard for gpu-3: nvsentinel XID-48 (CRITICAL) double-bit ECC error',
      'nodeplan: health signal held back by the storm guard for gpu-4: nvsentinel XID-48 (CRITICAL) double-bit ECC error',
    ]), 10_000)

    // A held fault reported again inside the window stays held (and is audited once).
    const still = await postSignal(np, { node: 'gpu-3', source: 'nvsentinel', code: 'XID-48', severity: 'CRITICAL', message: 'again' }, operator)
    expect(still.body.signal).toMatchObject({ outcome: 'HELD', count: 2 })
    expect((await np.gql(`{ auditEvents(filter: {action: "signal.held"}) { totalCount } }`, {}, viewer)).data.auditEvents.totalCount).toBe(2)

    np.sim.sim.clock.advance(601)
    const later = await postSignal(np, { node: 'gpu-3', source: 'nvsentinel', code: 'XID-48', severity: 'CRITICAL', message: 'still failing' }, operator)
    expect(later.body.signal).toMatchObject({ outcome: 'PROPOSED', count: 3, planId: expect.stringMatching(/^plan-/) })

    const metrics = await (await fetch(`${np.url}/metrics`)).text()
    expect(metrics).toMatch(/nodeplan_signal_proposals_total\{outcome="held",cluster="default"\} 3/)
    expect(metrics).toMatch(/nodeplan_signal_proposals_total\{outcome="proposed",cluster="default"\} 3/)
    expect(metrics).toMatch(/nodeplan_signals_received_total\{source="nvsentinel",action="PROPOSE_DRAIN",cluster="default"\} 6/)
  })
})

describe('Node conditions as signals', () => {
  let np: TestNodeplan
  let core: CoreV1Api

  beforeAll(async () => {
    np = await startTestNodeplan({
      tokens: true,
      policy: {
        signals: {
          conditions: [{ type: 'KernelDeadlock', status: 'True', severity: 'CRITICAL' }],
          rules: [{ source: 'condition', code: 'KernelDeadlock', action: 'PROPOSE_DRAIN' }],
        },
      },
    })
    const kc = new KubeConfig()
    kc.loadFromString(np.sim.kubeconfig)
    core = kc.makeApiClient(CoreV1Api)
  })
  afterAll(async () => {
    await np?.close()
  })

  const setCondition = (status: 'True' | 'False') =>
    core.patchNodeStatus(
      {
        name: 'gpu-5',
        body: { status: { conditions: [{ type: 'KernelDeadlock', status, reason: status === 'True' ? 'DockerHung' : 'KernelHasNoDeadlock', message: 'task docker:7 blocked for more than 300 seconds', lastHeartbeatTime: new Date(), lastTransitionTime: new Date() }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    )

  it('proposes a DRAIN when a condition the policy names turns to its fault status, and discards it when the condition is back', async () => {
    await setCondition('True')
    const signal = await eventually(async () => {
      const res = await np.gql(`{ healthSignals(node: "gpu-5") { source code severity state outcome planId message } }`, {}, viewer)
      expect(res.data.healthSignals).toEqual([
        { source: 'condition', code: 'KernelDeadlock', severity: 'CRITICAL', state: 'ACTIVE', outcome: 'PROPOSED', planId: expect.stringMatching(/^plan-/), message: 'KernelDeadlock=True (DockerHung): task docker:7 blocked for more than 300 seconds' },
      ])
      return res.data.healthSignals[0]
    }, 10_000)
    const plan = await np.gql(`query($id: ID!) { plan(id: $id) { kind status createdBy } }`, { id: signal.planId }, viewer)
    expect(plan.data.plan).toEqual({ kind: 'DRAIN', status: 'PENDING', createdBy: 'system' })

    await setCondition('False')
    await eventually(async () => {
      const res = await np.gql(`query($id: ID!) { plan(id: $id) { status } healthSignals(node: "gpu-5") { state } }`, { id: signal.planId }, viewer)
      expect(res.data).toEqual({ plan: { status: 'DISCARDED' }, healthSignals: [{ state: 'CLEARED' }] })
    }, 10_000)
  })
})
