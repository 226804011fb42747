import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, type TestNodeplan } from '../support/nodeplan.js'
import { runLoad } from './load.js'

describe('load (fast: 10 clients for 5 s; npm run test:reliability runs 50 for 60 s)', () => {
  let np: TestNodeplan
  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true, simulator: { gpuNodes: 12, cpuNodes: 0 } })
  })
  afterAll(async () => {
    await np?.close()
  })

  it('serves every request without an error, the audit trail matches what the clients did, no plan left open', async () => {
    const report = await runLoad(np, 10, 5_000)
    expect(report.requests).toBeGreaterThan(10)
    expect(report.cycles).toBeGreaterThan(0)
  })
})
