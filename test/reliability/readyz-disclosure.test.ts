// /readyz answers anyone: it says which dependency is down, in words, and nothing of the error
// itself (the review read the database's host and port, and Prisma's text, from it). The error
// goes to the log, for the operator. (The database's turn: test/postgres/readyz.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../support/eventually.js'
import { startTestNodeplan, type TestNodeplan } from '../support/nodeplan.js'

describe('/readyz without internals', () => {
  let np: TestNodeplan
  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
  })
  afterAll(async () => {
    await np?.close()
  })

  const readyz = async () => {
    const res = await fetch(`${np.url}/readyz`)
    return { status: res.status, text: await res.text() }
  }

  it('says "Kubernetes API unreachable" when the API server fails, with no URL, port or status text', async () => {
    np.sim.sim.setFaults({ errorRate: 1, errorStatus: 503, paths: '^/version$' })
    try {
      const { status, text } = await eventually(async () => {
        const r = await readyz()
        expect(r.status).toBe(503)
        return r
      }, 30_000)
      expect(status).toBe(503)
      expect(JSON.parse(text).checks.kubernetes).toBe('Kubernetes API unreachable')
      expect(text).not.toContain(new URL(np.sim.url).port)
      expect(text).not.toMatch(/503|https?:|127\.0\.0\.1/)
      expect(np.logs.some((l) => l.includes('"readiness check failed"') && l.includes('"check":"kubernetes"'))).toBe(true)
    } finally {
      np.sim.sim.setFaults({})
    }
    await eventually(async () => expect((await readyz()).status).toBe(200), 30_000)
  })
})
