import { describe, expect, it } from 'vitest'
import { duration, leftDrainedText, rolloutChanges, rolloutsTable, rolloutText, type RolloutView } from '../../src/cli/rollout-render.js'

const guard = { nodesOut: 2, maxUnavailable: 2, gpusInService: 304, minGpusInService: 256, readySystemNodes: 3, pools: [{ pool: 'a100', gpusInService: 96, minGpusInService: 64 }], satisfied: true, reason: null }
const node = (name: string, stage: string, over: Partial<RolloutView['waves'][number]['nodes'][number]> = {}) => ({ name, pool: 'a100', stage, gpus: 8, maintenanceDoneBy: null, error: null, ...over })
const rollout = (over: Partial<RolloutView> = {}): RolloutView => ({
  id: 'rollout-abc', status: 'RUNNING', reason: 'CHG-7 driver 550', createdBy: 'oscar', createdAt: '2026-12-06T05:00:00.000Z', approvedBy: 'alice', needsApproval: true,
  startedAt: '2026-12-06T05:10:00.000Z', finishedAt: null, drainMode: 'GRACEFUL', drainTimeoutSeconds: 1800, maxUnavailable: 2, minGpusInService: 256, poolLabel: 'run.ai/node-pool',
  notBefore: null, window: { cron: '0 22 * * 1-5', durationMinutes: 240, timeZone: 'Europe/Berlin', nextOpensAt: null, open: true },
  waves: [
    { index: 0, status: 'DONE', nodes: [node('gpu-1', 'DONE', { maintenanceDoneBy: 'reboot' }), node('gpu-2', 'DONE', { maintenanceDoneBy: 'oscar' })], impact: { gpus: 16, automaticallyRescheduled: [{}], manualRelocation: [] }, guard, startedAt: '2026-12-06T05:10:00.000Z', finishedAt: '2026-12-06T05:40:00.000Z' },
    { index: 1, status: 'RUNNING', nodes: [node('gpu-3', 'IN_MAINTENANCE'), node('gpu-4', 'DRAINING')], impact: { gpus: 16, automaticallyRescheduled: [], manualRelocation: [{}] }, guard, startedAt: '2026-12-06T05:41:00.000Z', finishedAt: null },
    { index: 2, status: 'WAITING', nodes: [node('gpu-5', 'WAITING')], impact: { gpus: 8, automaticallyRescheduled: [], manualRelocation: [] }, guard: { ...guard, satisfied: false, reason: 'GPUs in service would fall to 248, below 256' }, startedAt: null, finishedAt: null },
  ],
  currentWave: 1, waitingFor: "gpu-3's maintenance (nodeplan rollout complete rollout-abc gpu-3, or a reboot)", error: null, leftDrained: [],
  forecast: { drainSeconds: 300, maintenanceSeconds: 1800, samples: 12, remainingSeconds: 5400, endsAt: '2026-12-06T07:10:00.000Z' },
  warnings: [],
  ...over,
})

describe('nodeplan rollout status', () => {
  it('says where it is, what it waits for, every wave with its guard and nodes, and the forecast', () => {
    const text = rolloutText(rollout(), false)
    expect(text).toContain('Rollout rollout-abc: RUNNING (wave 2 of 3), 5 nodes — "CHG-7 driver 550"')
    expect(text).toContain('created by oscar at 2026-12-06T05:00:00.000Z, approved by alice, started at 2026-12-06T05:10:00.000Z.')
    expect(text).toContain('Drain: graceful (waits up to 30m for training workloads).')
    expect(text).toContain('Window: "0 22 * * 1-5" (Europe/Berlin) for 4h; open now.')
    expect(text).toContain("Waiting for: gpu-3's maintenance")
    expect(text).toContain('Wave 1: DONE (started 2026-12-06T05:10:00.000Z, finished 2026-12-06T05:40:00.000Z)')
    expect(text).toContain('guard: 2/2 out, 304 GPUs in service (floor 256), 3 Ready system nodes; pools: a100 96 (floor 64)')
    expect(text).toContain('guard holds it back: 2/2 out, 304 GPUs in service (floor 256), 3 Ready system nodes; pools: a100 96 (floor 64) — GPUs in service would fall to 248, below 256')
    expect(text).toContain('impact: 16 GPUs out, 0 rescheduled, 1 killed')
    expect(text).toMatch(/^ {4}gpu-1\s+a100\s+8\s+DONE\s+reboot$/m)
    expect(text).toMatch(/^ {4}gpu-3\s+a100\s+8\s+IN_MAINTENANCE\s+-$/m)
    expect(text).toContain('\nIn maintenance: gpu-3. When a node\'s maintenance is done, run:\n    nodeplan rollout complete rollout-abc gpu-3\n')
    expect(text).toContain('Forecast: 1h 30m of work left (per node: drain 5m, maintenance 30m; measured from 12 nodes); expected to end at 2026-12-06T07:10:00.000Z.')
  })

  it('after an abort: no forecast, the nodes left drained and the undrain to run', () => {
    const aborted = rollout({ status: 'ABORTED', leftDrained: ['gpu-3', 'gpu-4'], error: null, waitingFor: null, finishedAt: '2026-12-06T06:00:00.000Z' })
    const text = rolloutText(aborted, false)
    expect(text).toContain('Rollout rollout-abc: ABORTED (3 waves)')
    expect(text).toContain('Left drained: gpu-3, gpu-4')
    expect(text).not.toContain('Forecast:')
    expect(leftDrainedText(aborted)).toBe('Left drained: gpu-3, gpu-4. They stay out of service until undrained:\n    nodeplan plan undrain gpu-3 gpu-4 --reason "after rollout rollout-abc"\n')
    expect(leftDrainedText(rollout())).toBe('No node was left drained.\n')
  })

  it('tells what to run next while it has not started', () => {
    expect(rolloutText(rollout({ status: 'PENDING', approvedBy: null, startedAt: null, currentWave: 0 }), false)).toContain('someone other than oscar, with the approver role, runs\n    nodeplan rollout approve rollout-abc')
    expect(rolloutText(rollout({ status: 'APPROVED', startedAt: null }), false)).toContain('nodeplan rollout start rollout-abc')
  })

  it('durations as people say them', () => {
    expect([duration(0), duration(59), duration(90), duration(3600), duration(7260), duration(90_000)]).toEqual(['0s', '59s', '1m 30s', '1h', '2h 1m', '1d 1h'])
  })
})

describe('nodeplan rollouts and --watch', () => {
  it('a table with the current wave and what each waits for', () => {
    const lines = rolloutsTable([rollout(), rollout({ id: 'rollout-old', status: 'COMPLETED', waitingFor: null })]).trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+WAVE\s+NODES\s+WAITING-FOR\s+CREATED\s+BY$/)
    expect(lines[1]).toMatch(/^rollout-abc\s+RUNNING\s+2\/3\s+5\s+gpu-3's maintenance/)
    expect(lines[2]).toMatch(/^rollout-old\s+COMPLETED\s+-\/3\s+5\s+-\s+/)
  })

  it('puts a CLUSTER column first when the rollouts are of several clusters', () => {
    const lines = rolloutsTable([{ ...rollout(), cluster: 'train-eu' }, { ...rollout({ id: 'rollout-us' }), cluster: 'train-us' }]).trimEnd().split('\n')
    expect(lines[0]).toMatch(/^CLUSTER\s+ID\s+STATUS/)
    expect(lines[2]).toMatch(/^train-us\s+rollout-us\s+RUNNING/)
    expect(rolloutsTable([{ ...rollout(), cluster: 'train-eu' }]).split('\n')[0]).toMatch(/^ID\s+STATUS/)
  })

  it('one line per change between two readings, none when nothing changed', () => {
    const before = rollout()
    const after = rollout({
      currentWave: 2,
      waitingFor: 'the guard: GPUs in service would fall to 248, below 256',
      waves: [before.waves[0]!, { ...before.waves[1]!, status: 'DONE', nodes: [node('gpu-3', 'DONE'), node('gpu-4', 'CHECKING', { maintenanceDoneBy: 'reboot' })] }, before.waves[2]!],
    })
    expect(rolloutChanges(before, after, false)).toEqual([
      'wave 2: DONE',
      'wave 2 gpu-3: DONE',
      'wave 2 gpu-4: CHECKING (maintenance done by reboot)',
      'waiting for: the guard: GPUs in service would fall to 248, below 256',
    ])
    expect(rolloutChanges(after, after, false)).toEqual([])
    expect(rolloutChanges(after, { ...after, status: 'FAILED', error: 'gpu-4 is NotReady after its maintenance' }, false)).toEqual(['rollout rollout-abc: FAILED: gpu-4 is NotReady after its maintenance'])
  })
})
