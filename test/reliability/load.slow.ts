import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, type TestNodeplan } from '../support/nodeplan.js'
import { recordFigure } from './figures.js'
import { runLoad } from './load.js'

describe('load (long: 50 clients for 60 s on SQLite)', () => {
  let np: TestNodeplan
  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true, simulator: { gpuNodes: 60, cpuNodes: 0 } })
  })
  afterAll(async () => {
    await np?.close()
  })

  it('serves every request without an error, the audit trail matches what the clients did, no plan left open', async () => {
    const report = await runLoad(np, 50, 60_000)
    recordFigure('load', { ...report })
    expect(report.errors).toBe(0)
    expect(report.cycles).toBeGreaterThan(50)
  })
})
