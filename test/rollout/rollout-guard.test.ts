// What stops or holds a rollout, through GraphQL over HTTP against the simulated cluster: the
// capacity guard holding a wave back until capacity returns, a wave whose nodes changed since
// planning (stale), an abort that leaves drained nodes drained, a freeze in the policy file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { code, startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { rolloutDriver } from '../support/rollout.js'
import { SIM_START, startTestCluster, type TestCluster } from '../support/simulator.js'

const { operator, viewer, approver } = TEST_TOKENS

let cluster: TestCluster
let np: TestNodeplan
const r = rolloutDriver(() => np)

async function start(policy: Record<string, unknown> = {}) {
  cluster = await startTestCluster({ gpuNodes: 6, startTime: SIM_START })
  np = await startTestNodeplan({ tokens: true, sim: cluster, policy, overrides: { clock: cluster.sim.clock, rolloutIntervalMs: 0 } })
}
afterEach(async () => {
  await np?.close()
  await cluster?.close()
})

const applied = async (mutation: string, input: Record<string, unknown>) => {
  const plan = (await r.ok(`mutation($input: ${mutation === 'planRelabel' ? 'PlanRelabelInput' : 'PlanNodesInput'}!) { ${mutation}(input: $input) { id } }`, { input }, operator))[mutation]
  const res = await r.ok(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: plan.id }, operator)
  expect(res.applyPlan.status).toBe('APPLIED')
}

describe('the capacity guard', () => {
  beforeEach(() => start())

  it('holds a wave back while other drains leave too few GPUs in service, and lets it go once they return', async () => {
    // 6 GPU nodes × 8 GPUs; the rollout takes 2 at a time and keeps at least 32 GPUs in service.
    const rollout = await r.plan({ reason: 'CHG-1 kernel', nodes: ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4'], order: ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4'], maxUnavailable: '2', minGpusInService: 32 }, operator)
    expect(rollout.waves.map((w: any) => w.nodes.map((n: any) => n.name))).toEqual([['gpu-1', 'gpu-2'], ['gpu-3', 'gpu-4']])
    expect(rollout.waves[0].guard).toMatchObject({ gpusInService: 32, satisfied: true })
    // Someone drains gpu-6 meanwhile: with wave 1 out only 24 GPUs would serve.
    await applied('planDrain', { nodes: ['gpu-6'], reason: 'broken fan' })
    await r.act('startRollout', rollout.id, operator)
    const held = await r.until(async () => {
      const now = await r.get(rollout.id, viewer)
      expect(now.waitingFor).toContain('capacity guard')
      return now
    })
    expect(held.status).toBe('RUNNING')
    expect(held.waitingFor).toContain('minGpusInService: 24 GPUs would stay in service, fewer than 32')
    expect(held.waves[0]).toMatchObject({ status: 'WAITING', guard: { satisfied: false, gpusInService: 24 } })
    expect(r.taints('gpu-1')).not.toContain('runai=drain:NoExecute')
    const waits = await r.audit('rollout.waiting', viewer)
    expect(waits.map((e: any) => e.detail.waitingFor)).toContainEqual(expect.stringContaining('minGpusInService'))
    // Another pass changes nothing and records no second wait for the same reason.
    await r.tick()
    expect(await r.audit('rollout.waiting', viewer)).toHaveLength(waits.length)

    await applied('planUndrain', { nodes: ['gpu-6'], reason: 'fan replaced' })
    const going = await r.until(async () => {
      const now = await r.get(rollout.id, viewer)
      expect(now.waves[0].status).toBe('RUNNING')
      return now
    })
    expect(going.waves[0].guard).toMatchObject({ satisfied: true, gpusInService: 32 })
    expect(r.taints('gpu-1')).toContain('runai=drain:NoExecute')
  })

  it('refuses a wave whose nodes changed since planning: FAILED, PLAN_STALE, earlier nodes back in service', async () => {
    const rollout = await r.plan({ reason: 'CHG-2 bios', nodes: ['gpu-1', 'gpu-2'], order: ['gpu-1', 'gpu-2'], maxUnavailable: '1' }, operator)
    await r.act('startRollout', rollout.id, operator)
    await r.until(async () => expect((await r.get(rollout.id, viewer)).waves[0].nodes[0].stage).toBe('IN_MAINTENANCE'))
    // Someone makes gpu-2 a CPU worker too while wave 1 is in maintenance.
    await applied('planRelabel', { node: 'gpu-2', roles: ['GPU_WORKER', 'CPU_WORKER'], reason: 'mixed use' })
    await r.complete(rollout.id, 'gpu-1', operator)
    const failed = await r.until(async () => {
      const now = await r.get(rollout.id, viewer)
      expect(now.status).toBe('FAILED')
      return now
    })
    expect(failed.error).toMatch(/^PLAN_STALE: wave 2 is stale/)
    expect(failed.error).toContain('label node-role.kubernetes.io/runai-cpu-worker')
    expect(failed.waves.map((w: any) => w.status)).toEqual(['DONE', 'FAILED'])
    expect(failed.waves[1].plans).toEqual([])
    expect(r.taints('gpu-2')).not.toContain('runai=drain:NoExecute')
    expect(await r.audit('rollout.failed', viewer)).toHaveLength(1)
  })

  it('aborts: drained nodes stay drained and are listed, the rest are skipped, nothing moves after', async () => {
    const rollout = await r.plan({ reason: 'CHG-3', nodes: ['gpu-1', 'gpu-2', 'gpu-3'], order: ['gpu-1', 'gpu-2', 'gpu-3'], maxUnavailable: '2' }, operator)
    await r.act('startRollout', rollout.id, operator)
    await r.until(async () => expect((await r.get(rollout.id, viewer)).waves[0].nodes.map((n: any) => n.stage)).toEqual(['IN_MAINTENANCE', 'IN_MAINTENANCE']))
    expect(code(await np.gql(`mutation($id: ID!) { abortRollout(id: $id, reason: "x") { id } }`, { id: rollout.id }, viewer))).toBe('FORBIDDEN')
    const aborted = await r.abort(rollout.id, 'vendor recalled the firmware', operator)
    expect(aborted).toMatchObject({ status: 'ABORTED', leftDrained: ['gpu-1', 'gpu-2'], currentWave: null })
    expect(aborted.waves[1].nodes[0].stage).toBe('SKIPPED')
    expect(code(await np.gql(`mutation($id: ID!, $n: String!) { completeMaintenance(rolloutId: $id, node: $n) { id } }`, { id: rollout.id, n: 'gpu-1' }, operator))).toBe('PLAN_NOT_APPLICABLE')
    await r.tick()
    expect(r.taints('gpu-1')).toContain('runai=drain:NoExecute')
    expect(r.taints('gpu-2')).toContain('runai=drain:NoExecute')
    expect(r.taints('gpu-3')).not.toContain('runai=drain:NoExecute')
    expect((await r.audit('rollout.aborted', viewer))[0]).toMatchObject({ actor: 'operator', detail: { leftDrained: ['gpu-1', 'gpu-2'], reason: 'vendor recalled the firmware' } })
  })

  it('pauses and resumes at a person\'s word; refuses bad input with the field named and stores nothing', async () => {
    for (const [input, field] of [
      [{ reason: 'x', nodes: ['gpu-99'] }, 'nodes'],
      [{ reason: 'x', nodes: ['gpu-1'], maxUnavailable: '0' }, 'maxUnavailable'],
      [{ reason: 'x', nodes: ['gpu-1'], maxUnavailable: '150%' }, 'maxUnavailable'],
      [{ reason: 'x', nodes: ['gpu-1'], window: { cron: 'every day', durationMinutes: 60 } }, 'window.cron'],
      [{ reason: 'x', nodes: ['gpu-1'], window: { cron: '0 22 * * *', durationMinutes: 60, timeZone: 'Mars/Olympus' } }, 'window.timeZone'],
      [{ reason: 'x', nodes: ['gpu-1'], order: ['gpu-2'] }, 'order'],
      [{ reason: '', nodes: ['gpu-1'] }, 'reason'],
      [{ reason: 'x', labels: [{ key: 'run.ai/node-pool', value: 'nowhere' }] }, 'nodes'],
    ] as const) {
      const res = await np.gql(`mutation($input: RolloutInput!) { planRollout(input: $input) { id } }`, { input }, operator)
      expect(code(res), JSON.stringify(input)).toBe('BAD_USER_INPUT')
      expect(res.errors![0]!.message).toContain(field)
    }
    expect((await r.ok(`{ rollouts { totalCount } }`, {}, viewer)).rollouts.totalCount).toBe(0)

    const rollout = await r.plan({ reason: 'CHG-4', nodes: ['gpu-1', 'gpu-2'], maxUnavailable: '1' }, operator)
    await r.act('startRollout', rollout.id, operator)
    await r.until(async () => expect((await r.get(rollout.id, viewer)).waves[0].nodes[0].stage).toBe('IN_MAINTENANCE'))
    const paused = await r.act('pauseRollout', rollout.id, operator)
    expect(paused).toMatchObject({ status: 'PAUSED', waitingFor: 'resumeRollout: paused by operator' })
    const first = paused.waves[0].nodes[0].name
    await r.complete(rollout.id, first, operator)
    await r.tick()
    expect((await r.get(rollout.id, viewer)).waves[0].status).toBe('RUNNING')
    expect((await r.act('resumeRollout', rollout.id, operator)).status).toBe('RUNNING')
    await r.until(async () => expect((await r.get(rollout.id, viewer)).waves[1].status).toBe('RUNNING'))
    expect((await r.ok(`{ rollouts(status: [RUNNING]) { totalCount edges { node { id } } } }`, {}, viewer)).rollouts).toMatchObject({ totalCount: 1, edges: [{ node: { id: rollout.id } }] })
    expect(code(await np.gql(`mutation($id: ID!) { discardRollout(id: $id) { id } }`, { id: rollout.id }, operator))).toBe('PLAN_NOT_APPLICABLE')
  })
})

describe('a freeze in the policy file', () => {
  beforeEach(() =>
    start({
      requireApproval: ['DECOMMISSION'],
      freezes: [{ from: new Date(Date.now() - 3_600_000).toISOString(), until: new Date(Date.now() + 3_600_000).toISOString(), reason: 'year-end change freeze' }],
    }),
  )

  it('refuses applyPlan with a clear message; a started rollout waits for the freeze to end', async () => {
    const plan = (await r.ok(`mutation { planDrain(input: { nodes: ["gpu-1"], reason: "x" }) { id } }`, {}, operator)).planDrain
    const refused = await np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: plan.id }, operator)
    expect(code(refused)).toBe('PLAN_NOT_APPLICABLE')
    expect(refused.errors![0]!.message).toContain('no plan is applied during the freeze')
    expect(refused.errors![0]!.message).toContain('year-end change freeze')
    expect((await r.ok(`query($id: ID!) { plan(id: $id) { status } }`, { id: plan.id }, viewer)).plan.status).toBe('PENDING')

    const rollout = await r.plan({ reason: 'CHG-5', nodes: ['gpu-2'] }, operator)
    expect(rollout.needsApproval).toBe(false)
    await r.act('startRollout', rollout.id, operator)
    const waiting = await r.until(async () => {
      const now = await r.get(rollout.id, viewer)
      expect(now.waitingFor).toContain('freeze')
      return now
    })
    expect(waiting.status).toBe('SCHEDULED')
    expect(waiting.waves[0].status).toBe('WAITING')
    expect(r.taints('gpu-2')).not.toContain('runai=drain:NoExecute')
    expect(code(await np.gql(`mutation($id: ID!) { approveRollout(id: $id) { id } }`, { id: rollout.id }, approver))).toBe('PLAN_NOT_APPLICABLE')
  })
})
