import { describe, expect, it } from 'vitest'
import { recordFigure } from './figures.js'
import { killAndResume } from './kill-resume.js'

describe('kill -9 mid-apply (long: 20 runs)', () => {
  it('after every restart the plan ends APPLIED, each node patched once, the audit trail complete and verified', async () => {
    const started = Date.now()
    const report = await killAndResume(20, 20261125)
    recordFigure('kill -9', { ...report, seconds: (Date.now() - started) / 1000 })
    expect(report.runs).toBe(20)
    // The random points did land inside applies, not only before or after them.
    expect(report.resumed).toBeGreaterThan(0)
  })
})
