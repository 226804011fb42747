import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, type TestNodeplan } from '../support/nodeplan.js'
import { applyUnderFaults } from './apply-faults.js'
import { recordFigure } from './figures.js'

const NODE_PATHS = '^/api/v1/nodes/'

describe('applying plans while the API server misbehaves (long: 40 nodes a scenario)', () => {
  let np: TestNodeplan
  let next = 1
  const nodes = (n: number) => Array.from({ length: n }, () => `gpu-${next++}`)

  beforeAll(async () => {
    // 280 nodes, 40 per scenario; a 10 s change deadline stands in for the default 30 s.
    np = await startTestNodeplan({ tokens: true, simulator: { gpuNodes: 280, cpuNodes: 0 }, overrides: { apply: { changeDeadlineMs: 10_000 } } })
  })
  afterAll(async () => {
    await np?.close()
  })

  const scenarios = [
    { name: '20% 500', faults: { errorRate: 0.2, errorStatus: 500 as const, paths: NODE_PATHS }, expect: { APPLIED: 20 } },
    { name: '20% 429', faults: { errorRate: 0.2, errorStatus: 429 as const, paths: NODE_PATHS }, expect: { APPLIED: 20 } },
    // The writer retaints all 40 nodes every 100 ms (400 writes/s) on top of 50% forced conflicts.
    { name: '409 storm + writer', faults: { conflictRate: 0.5, paths: NODE_PATHS }, concurrentWriter: true, writerIntervalMs: 100, expect: { APPLIED: 20 } },
    { name: '2 s latency spikes', faults: { latencyMs: 2_000, paths: NODE_PATHS }, spikeMs: 3_000, expect: null },
    // A change's read and write each survive a reset with p = 0.67, so an attempt succeeds with
    // p ≈ 0.45 and about 1 change in 100 exhausts its ~8 attempts in 10 s: FAILED with a record.
    { name: 'resets 33%', faults: { resetRate: 0.33, paths: NODE_PATHS }, expect: null },
    { name: 'unreachable 5 s (deadline 10 s)', faults: { unreachable: true, paths: NODE_PATHS }, clearAfterMs: 5_000, expect: { APPLIED: 20 } },
    { name: 'unreachable past the deadline', faults: { unreachable: true, paths: NODE_PATHS }, expect: { FAILED: 20 } },
  ]
  for (const s of scenarios) {
    it(s.name, async () => {
      const run = await applyUnderFaults(np, { nodes: nodes(40), faults: s.faults, concurrentWriter: s.concurrentWriter, writerIntervalMs: s.writerIntervalMs, spikeMs: s.spikeMs, clearAfterMs: s.clearAfterMs })
      recordFigure(`faults: ${s.name}`, { statuses: run.statuses, refused: run.refused, wallMs: run.wallMs, writerTaints: run.writerTaints, errors: run.errors })
      if (s.expect) expect(run.statuses).toEqual(s.expect)
    })
  }
})
