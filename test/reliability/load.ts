// Concurrent GraphQL clients against one nodeplan (SQLite): reads of the inventory, audit and
// plans, and on each client's own node full plan → apply → rollback → apply cycles. Afterwards
// the audit trail is counted against what the clients did and every plan must be final.
import { expect } from 'vitest'
import { TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { prng } from './hostile-input.js'

export interface LoadReport {
  clients: number
  seconds: number
  requests: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  errors: number
  cycles: number
  plansCreated: number
  changesApplied: number
}

const READS = [
  `{ nodes { name draining gpus gpusInUse } }`,
  `{ auditEvents(first: 20) { totalCount edges { node { id action node } } } }`,
  `{ plans(first: 10) { totalCount edges { node { id status nodes } } } }`,
  `{ systemNodes { ready } }`,
]

export async function runLoad(np: TestNodeplan, clients: number, durationMs: number, seed = 1): Promise<LoadReport> {
  const token = TEST_TOKENS.operator
  const latencies: number[] = []
  const errors: string[] = []
  let plansCreated = 0
  let changesApplied = 0
  let cycles = 0
  const call = async (query: string, variables?: Record<string, unknown>) => {
    const started = performance.now()
    const res = await np.gql(query, variables, token)
    latencies.push(performance.now() - started)
    if (res.status !== 200 || res.errors) errors.push(`${res.status} ${JSON.stringify(res.errors).slice(0, 200)}`)
    return res.data
  }
  const before = await auditCounts(np)
  const end = Date.now() + durationMs
  const client = async (i: number) => {
    const random = prng(seed * 1000 + i)
    const node = `gpu-${i + 1}`
    while (Date.now() < end) {
      if (random() < 0.7) {
        const q = READS[Math.floor(random() * READS.length)]!
        await call(q)
        continue
      }
      // A whole cycle, so no plan is left PENDING when the time is up.
      const drain = (await call(`mutation($n: [String!]!) { planDrain(input: {nodes: $n, reason: "load"}) { id } }`, { n: [node] }))?.planDrain
      if (!drain) continue
      plansCreated++
      const applied = (await call(`mutation($id: ID!) { applyPlan(id: $id) { status changes { applied } } }`, { id: drain.id }))?.applyPlan
      if (!applied) continue
      changesApplied += applied.changes.filter((c: { applied: boolean }) => c.applied).length
      const rollback = (await call(`mutation($id: ID!) { planRollback(planId: $id, reason: "load undo") { id } }`, { id: drain.id }))?.planRollback
      if (!rollback) continue
      plansCreated++
      const undone = (await call(`mutation($id: ID!) { applyPlan(id: $id) { status changes { applied } } }`, { id: rollback.id }))?.applyPlan
      if (!undone) continue
      changesApplied += undone.changes.filter((c: { applied: boolean }) => c.applied).length
      cycles++
    }
  }
  const started = Date.now()
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)))
  const seconds = (Date.now() - started) / 1000

  expect(errors.slice(0, 5)).toEqual([])
  // Every audit event the clients caused is there once: none lost, none doubled.
  const after = await auditCounts(np)
  expect(after['plan.created'] - before['plan.created']).toBe(plansCreated)
  expect(after['change.applied'] - before['change.applied']).toBe(changesApplied)
  expect(after['plan.applied'] - before['plan.applied']).toBe(cycles * 2)
  const open = await np.gql(`{ plans(status: [PENDING, APPROVED, APPLYING], first: 1) { totalCount } verifyAuditTrail { ok checked } }`, {}, TEST_TOKENS.admin)
  expect(open.data.plans.totalCount).toBe(0)
  expect(open.data.verifyAuditTrail.ok).toBe(true)
  expect(np.logs.filter((l) => /SQLITE_BUSY|database is locked/i.test(l))).toEqual([])

  latencies.sort((a, b) => a - b)
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 10) / 10
  return {
    clients,
    seconds,
    requests: latencies.length,
    requestsPerSecond: Math.round(latencies.length / seconds),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: Math.round(latencies.at(-1)!),
    errors: errors.length,
    cycles,
    plansCreated,
    changesApplied,
  }
}

async function auditCounts(np: TestNodeplan): Promise<Record<'plan.created' | 'change.applied' | 'plan.applied', number>> {
  const res = await np.gql(
    `{ created: auditEvents(filter: {action: "plan.created"}, first: 1) { totalCount }
       changes: auditEvents(filter: {action: "change.applied"}, first: 1) { totalCount }
       applied: auditEvents(filter: {action: "plan.applied"}, first: 1) { totalCount } }`,
    {},
    TEST_TOKENS.viewer,
  )
  return { 'plan.created': res.data.created.totalCount, 'change.applied': res.data.changes.totalCount, 'plan.applied': res.data.applied.totalCount }
}
