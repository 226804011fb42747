// A whole rollout over a 40-node GPU pool, through GraphQL over HTTP against the simulated cluster
// over HTTPS, on the simulated clock: plan (waves of 4 under a GPU floor), approval by a second
// person, each wave drained by an ordinary DRAIN plan, maintenance completed by a person or by a
// reboot, checked, undrained; the audit trail records each step and the forecast learns from it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { code, startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { rolloutDriver } from '../support/rollout.js'
import { SIM_START, simRoute, startTestCluster, type TestCluster } from '../support/simulator.js'

const { operator, approver, viewer, operator2 } = TEST_TOKENS
const POOL = 'run.ai/node-pool'

describe('a 40-node GPU pool, 4 at a time, under a GPU floor', () => {
  let cluster: TestCluster
  let np: TestNodeplan
  const r = rolloutDriver(() => np)
  let id = ''

  beforeAll(async () => {
    cluster = await startTestCluster({ gpuNodes: 44, nodePools: [{ name: 'a100', nodes: 40 }, { name: 'h100', nodes: 4 }], startTime: SIM_START })
    np = await startTestNodeplan({ tokens: true, sim: cluster, policy: { requireApproval: ['DRAIN', 'DECOMMISSION'] }, overrides: { clock: cluster.sim.clock, rolloutIntervalMs: 0 } })
  })
  afterAll(async () => {
    await np?.close()
    await cluster?.close()
  })

  it('plans 10 waves of 4 nodes of pool a100, each with the guard figures, least harm first', async () => {
    const rollout = await r.plan(
      { reason: 'CHG-21 driver 570 on a100', labels: [{ key: POOL, value: 'a100' }], maxUnavailable: '10%', minGpusInService: 320, poolFloors: [{ pool: 'a100', minGpusInService: 288 }] },
      operator,
    )
    id = rollout.id
    expect(rollout).toMatchObject({ status: 'PENDING', needsApproval: true, maxUnavailable: 4, minGpusInService: 320, drainMode: 'IMMEDIATE', currentWave: 0 })
    expect(rollout.waves).toHaveLength(10)
    const names = rollout.waves.flatMap((w: any) => w.nodes.map((n: any) => n.name))
    expect(new Set(names).size).toBe(40)
    expect(names.every((n: string) => Number(n.slice(4)) <= 40)).toBe(true)
    for (const wave of rollout.waves) {
      expect(wave.nodes).toHaveLength(4)
      expect(wave.guard).toMatchObject({ nodesOut: 4, maxUnavailable: 4, gpusInService: 320, minGpusInService: 320, satisfied: true, reason: null })
      expect(wave.guard.pools).toEqual([
        { pool: 'a100', gpusInService: 288, minGpusInService: 288 },
        { pool: 'h100', gpusInService: 32, minGpusInService: null },
      ])
      expect(wave.nodes.every((n: any) => n.pool === 'a100' && n.stage === 'WAITING' && n.gpus === 8)).toBe(true)
    }
    // Least harm first: no wave kills more interactive sessions than a later one.
    const killed = rollout.waves.map((w: any) => w.impact.manualRelocation.length)
    expect(killed).toEqual([...killed].sort((a: number, b: number) => a - b))
    expect(rollout.diff).toContain('nodeplan ROLLOUT')
    expect(rollout.diff).toContain('# wave 10:')
    expect(rollout.diff).toContain('GPUs in service:           320 (at least 320)')
    expect(rollout.forecast).toMatchObject({ samples: 0, drainSeconds: 120, maintenanceSeconds: 1800, remainingSeconds: 10 * 1920 })
  })

  it('is approved by a second person only, and started by an operator', async () => {
    expect(code(await np.gql(`mutation($id: ID!) { startRollout(id: $id) { id } }`, { id }, operator))).toBe('PLAN_NOT_APPLICABLE')
    expect(code(await np.gql(`mutation($id: ID!) { approveRollout(id: $id) { id } }`, { id }, operator))).toBe('FORBIDDEN')
    expect(code(await np.gql(`mutation($id: ID!) { approveRollout(id: $id) { id } }`, { id }, viewer))).toBe('FORBIDDEN')
    expect((await r.act('approveRollout', id, approver)).approvedBy).toBe('approver')
    expect(code(await np.gql(`mutation($id: ID!) { startRollout(id: $id) { id } }`, { id }, viewer))).toBe('FORBIDDEN')
    const started = await r.act('startRollout', id, operator2)
    expect(['SCHEDULED', 'RUNNING']).toContain(started.status)
  })

  it('drains wave 1 with an ordinary DRAIN plan, approved by the rollout\'s approval and audited', async () => {
    const rollout = await r.until(async () => {
      const now = await r.get(id, viewer)
      expect(now.waves[0].nodes.map((n: any) => n.stage)).toEqual(['IN_MAINTENANCE', 'IN_MAINTENANCE', 'IN_MAINTENANCE', 'IN_MAINTENANCE'])
      return now
    })
    expect(rollout).toMatchObject({ status: 'RUNNING', currentWave: 0 })
    expect(rollout.waitingFor).toContain('completeMaintenance')
    const [drain] = rollout.waves[0].plans
    expect(drain).toMatchObject({ kind: 'DRAIN', status: 'APPLIED', rolloutId: id, approvedBy: 'approver', appliedBy: 'system' })
    for (const n of rollout.waves[0].nodes) expect(r.taints(n.name)).toContain('runai=drain:NoExecute')
    for (const n of rollout.waves[1].nodes) expect(r.taints(n.name)).not.toContain('runai=drain:NoExecute')
    expect((await r.audit('rollout.wave.started', viewer)).map((e: any) => e.detail.rolloutId)).toEqual([id])
  })

  it('returns a node whose maintenance a person completed, and one that rebooted, then goes on to wave 2', async () => {
    const wave = (await r.get(id, viewer)).waves[0]
    const [a, b, c, d] = wave.nodes.map((n: any) => n.name)
    expect(code(await np.gql(`mutation($id: ID!, $n: String!) { completeMaintenance(rolloutId: $id, node: $n) { id } }`, { id, n: a }, viewer))).toBe('FORBIDDEN')
    expect(code(await np.gql(`mutation($id: ID!, $n: String!) { completeMaintenance(rolloutId: $id, node: $n) { id } }`, { id, n: 'gpu-43' }, operator))).toBe('BAD_USER_INPUT')
    await r.complete(id, a, operator)
    await r.complete(id, b, operator)
    await r.complete(id, c, operator)
    // d reboots: down 60 s, NotReady 10 s, then Ready with a new bootID.
    expect((await simRoute(cluster, 'POST', `/_sim/nodes/${d}/reboot`, { downSeconds: 60, notReadySeconds: 10 })).status).toBe(200)
    await r.tick()
    expect((await r.get(id, viewer)).waves[0].nodes[3]).toMatchObject({ stage: 'IN_MAINTENANCE' })
    await r.advance(75)
    const rollout = await r.until(async () => {
      const now = await r.get(id, viewer)
      expect(now.waves[0].status).toBe('DONE')
      return now
    })
    expect(rollout.waves[0].nodes.map((n: any) => [n.stage, n.maintenanceDoneBy])).toEqual([
      ['DONE', 'operator'],
      ['DONE', 'operator'],
      ['DONE', 'operator'],
      ['DONE', 'reboot'],
    ])
    expect(rollout.waves[0].plans.map((p: any) => [p.kind, p.status])).toEqual([
      ['DRAIN', 'APPLIED'],
      ['UNDRAIN', 'APPLIED'],
    ])
    for (const n of rollout.waves[0].nodes) expect(r.taints(n.name)).not.toContain('runai=drain:NoExecute')
    expect(rollout.currentWave).toBe(1)
    expect(rollout.waves[1].status).toBe('RUNNING')
  })

  it('completes all 10 waves and records every node\'s measured durations', async () => {
    for (let w = 1; w < 10; w++) {
      const wave = await r.until(async () => {
        const now = (await r.get(id, viewer)).waves[w]
        expect(now.nodes.every((n: any) => n.stage === 'IN_MAINTENANCE')).toBe(true)
        return now
      })
      await r.advance(600)
      for (const n of wave.nodes) await r.complete(id, n.name, operator)
    }
    const done = await r.until(async () => {
      const now = await r.get(id, viewer)
      expect(now.status).toBe('COMPLETED')
      return now
    })
    expect(done).toMatchObject({ currentWave: null, waitingFor: null, leftDrained: [] })
    expect(done.waves.every((w: any) => w.status === 'DONE')).toBe(true)
    expect(Object.values(cluster.sim.state().nodes).filter((n) => n.taints.some((t) => t.key === 'runai'))).toEqual([])
    const returned = await r.audit('rollout.node.returned', viewer)
    expect(returned).toHaveLength(40)
    expect(returned.filter((e: any) => e.detail.maintenanceSeconds === 600)).toHaveLength(36)
    expect(await r.audit('rollout.completed', viewer)).toHaveLength(1)

    // The next rollout's forecast comes from these 40 nodes: median maintenance 600 s.
    const next = await r.plan({ reason: 'CHG-22 firmware', nodes: ['gpu-41', 'gpu-42'], maxUnavailable: '1' }, operator)
    expect(next.forecast).toMatchObject({ samples: 40, maintenanceSeconds: 600 })
    expect(next.forecast.remainingSeconds).toBe(2 * (next.forecast.drainSeconds + 600))
  })
})
