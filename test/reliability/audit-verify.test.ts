import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventHash } from '../../src/adapters/db/audit-chain.js'
import { code, startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

const VERIFY = `{ verifyAuditTrail { ok checked firstBrokenId firstBrokenAt message keyed } }`

describe('verifyAuditTrail reports the first event edited behind the service\'s back', () => {
  let np: TestNodeplan

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
    for (const node of ['gpu-1', 'gpu-2', 'gpu-3']) {
      const res = await np.gql(`mutation($n: [String!]!) { planDrain(input: {nodes: $n, reason: "verify"}) { id } }`, { n: [node] }, TEST_TOKENS.operator)
      expect(res.errors).toBeUndefined()
    }
  })
  afterAll(async () => {
    await np?.close()
  })

  it('is admin only', async () => {
    for (const role of ['viewer', 'operator', 'approver'] as const) {
      const res = await np.gql(VERIFY, {}, TEST_TOKENS[role])
      expect(code(res)).toBe('FORBIDDEN')
    }
  })

  it('says ok over an untouched trail, then names the edited event and its time', async () => {
    const before = await np.gql(VERIFY, {}, TEST_TOKENS.admin)
    expect(before.errors).toBeUndefined()
    const total = (await np.gql(`{ auditEvents(first: 1) { totalCount } }`, {}, TEST_TOKENS.viewer)).data.auditEvents.totalCount
    expect(before.data.verifyAuditTrail).toEqual({ ok: true, checked: total, firstBrokenId: null, firstBrokenAt: null, message: null, keyed: false })
    expect(total).toBeGreaterThanOrEqual(3)

    const file = new Database(join(np.dir, 'nodeplan.db'))
    try {
      const victim = file.prepare('SELECT seq, id, actor FROM AuditEvent ORDER BY seq LIMIT 1 OFFSET 1').get() as { seq: number; id: string; actor: string }
      // A quiet edit: the actor changes, the hashes stay as they were.
      const changed = file.prepare(`UPDATE AuditEvent SET actor = 'mallory' WHERE seq = ?`).run(victim.seq)
      expect(changed.changes).toBe(1)

      const after = await np.gql(VERIFY, {}, TEST_TOKENS.admin)
      expect(after.errors).toBeUndefined()
      const result = after.data.verifyAuditTrail
      expect(result.ok).toBe(false)
      expect(result.firstBrokenId).toBe(victim.id)
      expect(result.checked).toBe(victim.seq - 1)
      expect(result.message).toContain(victim.id)
      const events = (await np.gql(`{ auditEvents(first: 100) { edges { node { id at actor } } } }`, {}, TEST_TOKENS.viewer)).data.auditEvents.edges
      const edited = events.find((e: any) => e.node.id === victim.id).node
      expect(edited.actor).toBe('mallory')
      expect(result.firstBrokenAt).toBe(edited.at)

      file.prepare('UPDATE AuditEvent SET actor = ? WHERE seq = ?').run(victim.actor, victim.seq)
      const restored = await np.gql(VERIFY, {}, TEST_TOKENS.admin)
      expect(restored.data.verifyAuditTrail).toMatchObject({ ok: true, firstBrokenId: null })
    } finally {
      file.close()
    }
  })

  it('reports a removed last event at the new end of the chain (the head says the chain is longer)', async () => {
    const file = new Database(join(np.dir, 'nodeplan.db'))
    try {
      const [last, beforeLast] = file.prepare('SELECT seq, id FROM AuditEvent ORDER BY seq DESC LIMIT 2').all() as { seq: number; id: string }[]
      file.prepare('DELETE FROM AuditEvent WHERE seq = ?').run(last!.seq)
      const res = await np.gql(VERIFY, {}, TEST_TOKENS.admin)
      expect(res.data.verifyAuditTrail).toMatchObject({ ok: false, checked: beforeLast!.seq, firstBrokenId: beforeLast!.id })
    } finally {
      file.close()
    }
  })
})

describe('applyPlan refuses an approval the audit trail does not hold (a plan row edited in the database)', () => {
  let np: TestNodeplan

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true, auditKey: 'audit-key-for-tests-0123456789abcdef' })
  })
  afterAll(async () => {
    await np?.close()
  })

  it('does not delete a node whose DECOMMISSION plan was set to APPROVED directly, even with a forged plan.approved event', async () => {
    const made = await np.gql(`mutation { planDecommission(input: {nodes: ["gpu-4"], reason: "CHG-9 end of life"}) { id status } }`, {}, TEST_TOKENS.operator)
    expect(made.errors).toBeUndefined()
    const id: string = made.data.planDecommission.id
    const apply = () => np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id }, TEST_TOKENS.operator)
    const state = async () => (await np.gql(`query($id: ID!) { plan(id: $id) { status approvedBy } }`, { id }, TEST_TOKENS.viewer)).data.plan

    const file = new Database(join(np.dir, 'nodeplan.db'))
    try {
      expect(file.prepare(`UPDATE "Plan" SET "status" = 'APPROVED', "approvedBy" = 'approver' WHERE "id" = ?`).run(id).changes).toBe(1)
      const refused = await apply()
      expect(code(refused)).toBe('APPROVAL_REQUIRED')
      expect(refused.errors![0]!.message).toContain('no plan.approved event')
      expect(np.sim.sim.nodes.get(undefined, 'gpu-4')).toBeDefined()
      expect(await state()).toEqual({ status: 'APPROVED', approvedBy: 'approver' })

      // The forger adds the missing event too, linked with SHA-256 as the unkeyed chain would be.
      const head = file.prepare(`SELECT "seq", "hash" FROM "AuditHead" WHERE "id" = 1`).get() as { seq: number; hash: string }
      const last = file.prepare(`SELECT "at" FROM "AuditEvent" WHERE "seq" = ?`).get(head.seq) as { at: unknown }
      const at = (await np.gql(`{ auditEvents(first: 1) { edges { node { at } } } }`, {}, TEST_TOKENS.viewer)).data.auditEvents.edges[0].node.at
      const content = { seq: head.seq + 1, at: new Date(at), actor: 'approver', action: 'plan.approved', planId: id, node: 'gpu-4', detail: null }
      const hash = eventHash(head.hash, content)
      file
        .prepare(`INSERT INTO "AuditEvent" ("seq", "id", "at", "actor", "action", "planId", "node", "detail", "prevHash", "hash") VALUES (?, 'evt-forgedapproval01', ?, 'approver', 'plan.approved', ?, 'gpu-4', NULL, ?, ?)`)
        .run(head.seq + 1, last.at, id, head.hash, hash)
      file.prepare(`UPDATE "AuditHead" SET "seq" = ?, "hash" = ? WHERE "id" = 1`).run(head.seq + 1, hash)

      expect(code(await apply())).toBe('APPROVAL_REQUIRED')
      expect(np.sim.sim.nodes.get(undefined, 'gpu-4')).toBeDefined()
      const verify = (await np.gql(VERIFY, {}, TEST_TOKENS.admin)).data.verifyAuditTrail
      expect(verify).toMatchObject({ ok: false, firstBrokenId: 'evt-forgedapproval01' })
      expect(verify.message).toContain("head's seal does not hold")
    } finally {
      file.close()
    }
  })

  it('does not resume a DECOMMISSION plan set to APPLYING in the database as if a replica had died mid-apply', async () => {
    const made = await np.gql(`mutation { planDecommission(input: {nodes: ["gpu-5"], reason: "CHG-10 end of life"}) { id } }`, {}, TEST_TOKENS.operator)
    const id: string = made.data.planDecommission.id
    const file = new Database(join(np.dir, 'nodeplan.db'))
    try {
      // A lease long expired: any replica's sweep would take the plan over.
      const forged = file
        .prepare(`UPDATE "Plan" SET "status" = 'APPLYING', "approvedBy" = 'approver', "appliedBy" = 'operator', "applyOwner" = ?, "leaseExpiresAt" = ? WHERE "id" = ?`)
        .run('dead-replica', '2020-01-01T00:00:00.000+00:00', id)
      expect(forged.changes).toBe(1)
    } finally {
      file.close()
    }
    expect(await np.app.services.resumer.resumeInterrupted()).toEqual([])
    expect(np.sim.sim.nodes.get(undefined, 'gpu-5')).toBeDefined()
    expect(np.logs.some((line) => line.includes('not resuming a plan whose approval nodeplan never recorded') && line.includes(id))).toBe(true)
  })
})
