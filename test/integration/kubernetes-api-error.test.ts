// A failing Kubernetes API server is reported as such: KUBERNETES_API_ERROR with its HTTP status
// and reason, not as nodeplan's own INTERNAL_SERVER_ERROR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, type TestNodeplan } from '../support/nodeplan.js'

describe('Kubernetes API failures over GraphQL', () => {
  let np: TestNodeplan
  beforeAll(async () => {
    np = await startTestNodeplan()
  })
  afterAll(async () => {
    await np?.close()
  })

  it.each([
    { status: 500 as const, reason: 'InternalError', verdict: 'failed' },
    { status: 503 as const, reason: 'ServiceUnavailable', verdict: 'failed' },
  ])('a plan whose node read gets $status says the API server $verdict, with status and reason', async ({ status, reason, verdict }) => {
    np.sim.sim.setFaults({ errorRate: 1, errorStatus: status, paths: '^/api/v1/nodes' })
    try {
      const res = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-1"], reason: "r"}) { id } }`)
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'KUBERNETES_API_ERROR', status, reason })
      expect(res.errors?.[0]?.message).toContain(`the Kubernetes API server ${verdict}: ${status} ${reason}`)
    } finally {
      np.sim.sim.setFaults({})
    }
    // Nothing was stored.
    expect((await np.gql(`{ plans(first: 1) { totalCount } }`)).data.plans.totalCount).toBe(0)
  })
})
