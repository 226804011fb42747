import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js'
import { eventually } from '../support/eventually.js'
import { startNodeplanProcess, type NodeplanProcess } from '../support/nodeplan-process.js'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js'

const SECRET = 'crash-test-webhook-secret-0123'

describe('a nodeplan process killed (-9) after committing an event and before its delivery completed', () => {
  let sim: RunningSimulator
  let dir: string
  let receiver: WebhookReceiver
  let first: NodeplanProcess | null = null
  let second: NodeplanProcess | null = null

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nodeplan-events-crash-'))
    sim = await startSimulator({ port: 0, kubeconfigOut: join(dir, 'kubeconfig') })
    receiver = await startWebhookReceiver(SECRET)
  })
  afterAll(async () => {
    await first?.kill()
    await second?.kill()
    await receiver?.close()
    await sim?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('delivers the event after the restart, with its id, and every id is accepted once', async () => {
    writeFileSync(join(dir, 'webhooks.json'), JSON.stringify({ webhooks: [{ name: 'ops', url: `${receiver.url}/ops`, secretEnv: 'OPS_SECRET', events: ['*'] }] }))
    const args = ['--port', '0', '--database', `file:${join(dir, 'nodeplan.db')}`, '--kubeconfig', join(dir, 'kubeconfig'), '--webhooks', join(dir, 'webhooks.json')]
    const env = { OPS_SECRET: SECRET }
    // The first process's send reaches the receiver, which never answers: the event is committed,
    // its delivery in flight and unacknowledged when the process dies.
    receiver.answer = () => 'hold'
    first = await startNodeplanProcess(args, env)
    const planned = await first.gql(`mutation { planDrain(input: {nodes: ["gpu-1"], reason: "crash between commit and send"}) { id } }`)
    const id = planned.data.planDrain.id as string
    await eventually(() => expect(receiver.requests.map((r) => r.json.subject)).toContain(id), 20_000)
    await first.kill('SIGKILL')
    const inFlight = receiver.requests.find((r) => r.json.subject === id)!
    expect(inFlight.answered).toBe('hold')
    expect(receiver.accepted()).toEqual([])

    receiver.answer = () => 200
    second = await startNodeplanProcess(args, env)
    await eventually(() => expect(receiver.accepted().map((r) => r.json.id)).toContain(inFlight.json.id), 20_000)
    // Something new after the restart arrives too, after the redelivered one.
    const more = await second.gql(`mutation { planDrain(input: {nodes: ["gpu-2"], reason: "after restart"}) { id } }`)
    const moreId = more.data.planDrain.id as string
    await eventually(() => expect(receiver.accepted().map((r) => r.json.subject)).toEqual([id, moreId]), 20_000)

    const accepted = receiver.accepted()
    expect(accepted.every((r) => r.signatureOk && r.json.type === 'io.nodeplan.plan.created')).toBe(true)
    expect(new Set(accepted.map((r) => r.json.id)).size).toBe(accepted.length)
    expect(accepted[0]!.body).toBe(inFlight.body)
  })
})
