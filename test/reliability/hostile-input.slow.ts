import { describe, it } from 'vitest'
import { checkHostileInput, hostileTarget } from './hostile-input-check.js'
import { recordFigure } from './figures.js'

describe('hostile input (long: 3,000 generated requests)', () => {
  const np = hostileTarget()

  it('never answers 5xx or without a contract code, and stores nothing', async () => {
    const started = Date.now()
    const { statuses, resets } = await checkHostileInput(np(), 20261125, 3_000)
    recordFigure('hostile input', { cases: 3_000, seconds: (Date.now() - started) / 1000, statuses, resetsRetried: resets })
  })
})
