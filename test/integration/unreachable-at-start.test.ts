import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js'
import { eventually } from '../support/eventually.js'
import { code, startTestNodeplan, type TestNodeplan } from '../support/nodeplan.js'

describe('nodeplan started while the Kubernetes API server does not answer', () => {
  let sim: RunningSimulator
  let np: TestNodeplan

  beforeAll(async () => {
    sim = await startSimulator({ port: 0 })
    sim.sim.setFaults({ unreachable: true })
    np = await startTestNodeplan({ sim, overrides: { cacheStartTimeoutMs: 300 } })
  })
  afterAll(async () => {
    await np?.close()
    await sim?.close()
  })

  it('serves anyway, not ready, and answers queries with KUBERNETES_UNAVAILABLE', async () => {
    const ready = await fetch(`${np.url}/readyz`)
    expect(ready.status).toBe(503)
    const body = (await ready.json()) as { checks: Record<string, string> }
    expect(body.checks.cache).toMatch(/first list of nodes and pods has not arrived/)
    expect((await fetch(`${np.url}/healthz`)).status).toBe(200)
    expect(np.logs.some((l) => l.includes('serving anyway, not ready until the first list arrives'))).toBe(true)
    const res = await np.gql(`{ nodes { name } }`)
    expect(code(res)).toBe('KUBERNETES_UNAVAILABLE')
  })

  it('becomes ready and answers once the API server does', async () => {
    sim.sim.setFaults(null)
    await eventually(async () => expect((await fetch(`${np.url}/readyz`)).status).toBe(200), 30_000)
    const res = await np.gql(`{ nodes { name } }`)
    expect(res.data.nodes).toHaveLength(10)
    expect(np.logs.some((l) => l.includes('the first list of nodes and pods has arrived: ready'))).toBe(true)
  })
})
