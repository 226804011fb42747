// The fuzz test body, shared by the fast run (npm test) and the long one (npm run test:reliability).
import { afterAll, beforeAll, expect } from 'vitest'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { hostileCases, sendHostile } from './hostile-input.js'

/**
 * The nodeplan a describe block fuzzes: started before its tests, closed after. A plan is stored
 * first, so that "nothing stored" compares real counts.
 */
export function hostileTarget(): () => TestNodeplan {
  let np: TestNodeplan | undefined
  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
    await np.gql(`mutation { planDrain(input: {nodes: ["gpu-1"], reason: "before fuzz"}) { id } }`, {}, TEST_TOKENS.operator)
  })
  afterAll(async () => {
    await np?.close()
  })
  return () => np!
}

export async function stored(np: TestNodeplan): Promise<{ plans: number; audit: number }> {
  const res = await np.gql(`{ plans(first: 1) { totalCount } auditEvents(first: 1) { totalCount } }`, {}, TEST_TOKENS.viewer)
  return { plans: res.data.plans.totalCount, audit: res.data.auditEvents.totalCount }
}

/** Sends `count` generated hostile requests and checks the rules; returns the status histogram and the resets retried. */
export async function checkHostileInput(np: TestNodeplan, seed: number, count: number): Promise<{ statuses: Record<number, number>; resets: number }> {
  const before = await stored(np)
  const cases = hostileCases(seed, count)
  const { failures, statuses, timeByKind, resets } = await sendHostile(np, cases)
  if (process.env.HOSTILE_TIMES) console.log(statuses, Object.fromEntries(Object.entries(timeByKind).map(([k, ms]) => [k, Math.round(ms)])))
  expect(failures.map((f) => `${f.kind}: ${f.status} ${f.why}`).slice(0, 10)).toEqual([])
  
  expect(Object.keys(statuses).filter((s) => Number(s) >= 500)).toEqual([])
  // Nothing stored by any of them, and the server still serves.
  expect(await stored(np)).toEqual(before)
  expect((await fetch(`${np.url}/healthz`)).status).toBe(200)
  const logged = np.logs.filter((l) => l.includes('"level":"error"'))
  expect(logged.slice(0, 3)).toEqual([])
  // The cases did reach the service: most were refused with 400, some reads answered.
  expect(statuses[400]).toBeGreaterThan(count / 10)
  expect(statuses[200]).toBeGreaterThan(0)
  // Resets are rare enough to be noise, not a pattern.
  expect(resets).toBeLessThanOrEqual(Math.max(1, count / 1000))
  return { statuses, resets }
}
