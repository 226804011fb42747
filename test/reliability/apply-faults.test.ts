import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, type TestNodeplan } from '../support/nodeplan.js'
import { applyUnderFaults } from './apply-faults.js'

// Single-node reads and writes only: the cache's watch keeps running, as in a real outage of the
// paths a write takes.
const NODE_PATHS = '^/api/v1/nodes/'

describe('applying plans while the API server misbehaves', () => {
  let np: TestNodeplan
  let next = 1
  const nodes = (n: number) => Array.from({ length: n }, () => `gpu-${next++}`)

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true, simulator: { gpuNodes: 60, cpuNodes: 0 }, overrides: { apply: { changeDeadlineMs: 3_000 } } })
  })
  afterAll(async () => {
    await np?.close()
  })

  // Where faults are random a change may still exhaust its 3 s deadline: then its plan is FAILED
  // with a record, which applyUnderFaults accepts; what it checks holds either way.
  it('20% 500s: every plan final, nothing written twice', async () => {
    const run = await applyUnderFaults(np, { nodes: nodes(12), faults: { errorRate: 0.2, errorStatus: 500, paths: NODE_PATHS } })
    expect((run.statuses.APPLIED ?? 0) + (run.statuses.FAILED ?? 0)).toBe(6)
    expect(run.refused[500]).toBeGreaterThan(0)
  })

  it('20% 429s: every plan final, nothing written twice', async () => {
    const run = await applyUnderFaults(np, { nodes: nodes(12), faults: { errorRate: 0.2, errorStatus: 429, paths: NODE_PATHS } })
    expect((run.statuses.APPLIED ?? 0) + (run.statuses.FAILED ?? 0)).toBe(6)
    expect(run.refused[429]).toBeGreaterThan(0)
  })

  it('a 409 storm with a concurrent writer adding its own taints: the writer\'s taints survive', async () => {
    const run = await applyUnderFaults(np, { nodes: nodes(6), faults: { conflictRate: 0.5, paths: NODE_PATHS }, concurrentWriter: true })
    expect(run.writerTaints).toBeGreaterThan(6)
    expect((run.statuses.APPLIED ?? 0) + (run.statuses.FAILED ?? 0)).toBe(3)
    expect(run.refused[409]).toBeGreaterThan(0)
  })

  it('2 s latency spikes: applied, or failed with a record per change once past the deadline', async () => {
    const run = await applyUnderFaults(np, { nodes: nodes(4), faults: { latencyMs: 2_000, paths: NODE_PATHS }, spikeMs: 700 })
    expect((run.statuses.APPLIED ?? 0) + (run.statuses.FAILED ?? 0)).toBe(2)
    expect(run.wallMs).toBeGreaterThanOrEqual(2_000)
  })

  it('connection resets on a third of the requests: every plan final, nothing written twice', async () => {
    const run = await applyUnderFaults(np, { nodes: nodes(6), faults: { resetRate: 0.33, paths: NODE_PATHS } })
    expect((run.statuses.APPLIED ?? 0) + (run.statuses.FAILED ?? 0)).toBe(3)
    expect(run.refused.ECONNRESET).toBeGreaterThan(0)
  })

  it('the API server unreachable for longer than the change deadline: FAILED, a record per change, nothing written', async () => {
    const run = await applyUnderFaults(np, { nodes: nodes(4), faults: { unreachable: true, paths: NODE_PATHS } })
    expect(run.statuses).toEqual({ FAILED: 2 })
    expect(run.changes.every((c) => !c.applied && c.error)).toBe(true)
    expect(run.patchesPerNode).toEqual({})
  })

  it('the API server unreachable for a while shorter than the deadline: applied once it is back', async () => {
    // 2 s of a 3 s deadline: the backoff's next wait crosses the deadline before the server is
    // back, and the writer used to give up then instead of trying once more just before it.
    const run = await applyUnderFaults(np, { nodes: nodes(4), faults: { unreachable: true, paths: NODE_PATHS }, clearAfterMs: 2_000 })
    expect(run.statuses).toEqual({ APPLIED: 2 })
  })
})
