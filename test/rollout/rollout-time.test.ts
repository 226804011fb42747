// Rollouts on the simulated clock, through GraphQL over HTTP: notBefore and a recurring window in a
// time zone (a wave never starts outside it; at its end the rollout pauses and resumes in the next
// by itself, the audit trail saying when and why), and a graceful drain that waits for training.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { rolloutDriver } from '../support/rollout.js'
import { SIM_START, simRoute, startTestCluster, type TestCluster } from '../support/simulator.js'

const { operator, viewer } = TEST_TOKENS

let cluster: TestCluster
let np: TestNodeplan
const r = rolloutDriver(() => np)

beforeEach(async () => {
  // SIM_START is Monday 2026-03-02 09:00 UTC (10:00 in Berlin).
  cluster = await startTestCluster({ gpuNodes: 6, startTime: SIM_START })
  np = await startTestNodeplan({ tokens: true, sim: cluster, overrides: { clock: cluster.sim.clock, rolloutIntervalMs: 0 } })
})
afterEach(async () => {
  await np?.close()
  await cluster?.close()
})

const stage = async (id: string, wave: number) => (await r.get(id, viewer)).waves[wave].nodes.map((n: any) => n.stage)

describe('maintenance windows', () => {
  it('waits for notBefore, then for the window; pauses at its end and resumes in the next one by itself', async () => {
    // Every day 11:00 Berlin time (10:00 UTC in March) for an hour.
    const rollout = await r.plan(
      { reason: 'CHG-7 kernel', nodes: ['gpu-1', 'gpu-2'], order: ['gpu-1', 'gpu-2'], maxUnavailable: '1', notBefore: '2026-03-02T09:30:00Z', window: { cron: '0 11 * * *', durationMinutes: 60, timeZone: 'Europe/Berlin' } },
      operator,
    )
    expect(rollout.window).toEqual({ cron: '0 11 * * *', durationMinutes: 60, timeZone: 'Europe/Berlin', nextOpensAt: '2026-03-02T10:00:00.000Z', open: false })
    // Two waves of 120 s drain + 1800 s maintenance: 10:00 → 10:32, then 10:32 → 11:04 (a wave started in the window finishes).
    expect(rollout.forecast).toMatchObject({ remainingSeconds: 2 * 1920, endsAt: '2026-03-02T11:04:00.000Z' })
    await r.act('startRollout', rollout.id, operator)
    let now = await r.until(async () => {
      const current = await r.get(rollout.id, viewer)
      expect(current.waitingFor).toContain('notBefore')
      return current
    })
    expect(now.status).toBe('SCHEDULED')

    await r.advance(1800) // 09:30 UTC: notBefore passed, the window still closed
    now = await r.until(async () => {
      const current = await r.get(rollout.id, viewer)
      expect(current.waitingFor).toContain('maintenance window')
      return current
    })
    expect(now.waitingFor).toContain('2026-03-02T10:00:00.000Z')
    expect(await stage(rollout.id, 0)).toEqual(['WAITING'])

    await r.advance(1800) // 10:00 UTC: open
    await r.until(async () => expect(await stage(rollout.id, 0)).toEqual(['IN_MAINTENANCE']))
    await r.advance(3700) // 11:01:40 UTC: closed while wave 1 is in maintenance
    await r.complete(rollout.id, 'gpu-1', operator)
    now = await r.until(async () => {
      const current = await r.get(rollout.id, viewer)
      expect(current.status).toBe('PAUSED')
      return current
    })
    expect(now.waves.map((w: any) => w.status)).toEqual(['DONE', 'WAITING'])
    expect(now.waitingFor).toContain('2026-03-03T10:00:00.000Z')
    expect(r.taints('gpu-2')).not.toContain('runai=drain:NoExecute')
    const paused = await r.audit('rollout.paused', viewer)
    expect(paused).toEqual([expect.objectContaining({ actor: 'system', detail: expect.objectContaining({ until: '2026-03-03T10:00:00.000Z' }) })])

    await r.advance(23 * 3600) // Tuesday 10:01:40 UTC: the next window
    now = await r.until(async () => {
      const current = await r.get(rollout.id, viewer)
      expect(current.waves[1].nodes[0].stage).toBe('IN_MAINTENANCE')
      return current
    })
    expect(now.status).toBe('RUNNING')
    const waits = (await r.audit('rollout.waiting', viewer)).map((e: any) => e.detail.waitingFor)
    expect(waits.some((w: string) => w.includes('notBefore'))).toBe(true)
    expect(waits.some((w: string) => w.includes('maintenance window'))).toBe(true)
  })
})

describe('a graceful drain', () => {
  it('puts NoSchedule on first, waits for the training workloads to finish, then NoExecute; and waits no longer than drainTimeoutSeconds', async () => {
    const rollout = await r.plan({ reason: 'CHG-8', nodes: ['gpu-1'], drainMode: 'GRACEFUL', drainTimeoutSeconds: 1800 }, operator)
    expect(rollout.diff).toContain('GRACEFUL')
    await r.act('startRollout', rollout.id, operator)
    let now = await r.until(async () => {
      const current = await r.get(rollout.id, viewer)
      expect(current.waitingFor).toContain('training workloads to finish')
      return current
    })
    expect(now.waitingFor).toContain('runai-recsys/train-vit-1')
    expect(now.waves[0].nodes[0].stage).toBe('DRAINING')
    expect(r.taints('gpu-1')).toContain('runai=drain:NoSchedule')
    expect(r.taints('gpu-1')).not.toContain('runai=drain:NoExecute')

    expect((await simRoute(cluster, 'POST', '/_sim/pods/finish-after', { seconds: 300, node: 'gpu-1' })).status).toBe(200)
    await r.advance(200)
    await r.tick()
    expect(await stage(rollout.id, 0)).toEqual(['DRAINING'])
    await r.advance(150)
    now = await r.until(async () => {
      const current = await r.get(rollout.id, viewer)
      expect(current.waves[0].nodes[0].stage).toBe('IN_MAINTENANCE')
      return current
    })
    expect(r.taints('gpu-1')).toEqual(expect.arrayContaining(['runai=drain:NoSchedule', 'runai=drain:NoExecute']))
    expect(now.waves[0].plans.map((p: any) => [p.kind, p.status])).toEqual([
      ['DRAIN', 'APPLIED'],
      ['DRAIN', 'APPLIED'],
    ])
    await r.complete(rollout.id, 'gpu-1', operator)
    await r.until(async () => expect((await r.get(rollout.id, viewer)).status).toBe('COMPLETED'))
    expect(r.taints('gpu-1').filter((t) => t.startsWith('runai='))).toEqual([])

    // gpu-5's training never finishes: after drainTimeoutSeconds the NoExecute taint goes on anyway.
    const timed = await r.plan({ reason: 'CHG-9', nodes: ['gpu-5'], drainMode: 'GRACEFUL', drainTimeoutSeconds: 600 }, operator)
    await r.act('startRollout', timed.id, operator)
    await r.until(async () => expect((await r.get(timed.id, viewer)).waitingFor).toContain('training workloads'))
    await r.advance(599)
    await r.tick()
    expect(await stage(timed.id, 0)).toEqual(['DRAINING'])
    await r.advance(2)
    await r.until(async () => expect(await stage(timed.id, 0)).toEqual(['IN_MAINTENANCE']))
    expect(r.taints('gpu-5')).toContain('runai=drain:NoExecute')
  })
})
