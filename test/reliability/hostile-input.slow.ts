import { afterAll, beforeAll, describe, it } from 'vitest'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { checkHostileInput } from './hostile-input-check.js'
import { recordFigure } from './figures.js'

describe('hostile input (long: 3,000 generated requests)', () => {
  let np: TestNodeplan
  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
    await np.gql(`mutation { planDrain(input: {nodes: ["gpu-1"], reason: "before fuzz"}) { id } }`, {}, TEST_TOKENS.operator)
  })
  afterAll(async () => {
    await np?.close()
  })

  it('never answers 5xx or without a contract code, and stores nothing', async () => {
    const started = Date.now()
    const { statuses, resets } = await checkHostileInput(np, 20261125, 3_000)
    recordFigure('hostile input', { cases: 3_000, seconds: (Date.now() - started) / 1000, statuses, resetsRetried: resets })
  })
})
