import { describe, expect, it } from 'vitest'
import { killAndResume } from './kill-resume.js'

describe('kill -9 mid-apply (fast: 3 runs; npm run test:reliability runs 20)', () => {
  it('after every restart the plan ends APPLIED, each node patched once, the audit trail complete and verified', async () => {
    const report = await killAndResume(3, 7)
    expect(report.runs).toBe(3)
  }, 120_000)
})
