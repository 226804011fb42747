import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GENESIS_HASH, canonicalJson, eventHash } from '../../src/adapters/db/audit-chain.js'
import { backends, drainDraft, openTempDatabase } from './temp-database.js'
import type { TempDatabase } from './temp-database.js'

let t: TempDatabase

/** Edits the stored trail the way someone with database access would, with no service involved. */
const tamper = (sql: string) => t.sql(sql)

async function seed(): Promise<void> {
  const events = [
    { actor: 'alice', action: 'plan.created', planId: 'plan-aaaaaaaaaaaa', node: 'gpu-1' },
    { actor: 'bob', action: 'plan.approved', planId: 'plan-aaaaaaaaaaaa', node: 'gpu-1' },
    { actor: 'system', action: 'node.notready', node: 'gpu-2', detail: { since: '2026-11-01T10:00:00Z' } },
    { actor: 'alice', action: 'change.applied', planId: 'plan-aaaaaaaaaaaa', node: 'gpu-1', detail: { index: 0 } },
    { actor: 'alice', action: 'plan.created', planId: 'plan-bbbbbbbbbbbb', node: 'gpu-2' },
    { actor: 'carol', action: 'join.token.created', detail: { tokenId: 'abcdef' } },
  ]
  for (const event of events) {
    await t.db.audit.append(event)
    t.clock.advance(60)
  }
}

describe.each(backends)('PrismaAuditRepository on %s', (backend) => {
  beforeEach(async () => {
    t = await openTempDatabase(backend)
  })
  afterEach(() => t.cleanup())

  it('should find by node the events naming it and the plan-level events of every plan touching it', async () => {
    const both = await t.db.plans.create(drainDraft(['gpu-1', 'gpu-2']), { actor: 'alice', action: 'plan.created' })
    await t.db.plans.transition(both.id, ['PENDING'], 'APPROVED', { approvedBy: 'bob' }, { actor: 'bob', action: 'plan.approved' })
    await t.db.audit.append({ actor: 'alice', action: 'change.applied', planId: both.id, node: 'gpu-1' })
    await t.db.audit.append({ actor: 'alice', action: 'change.applied', planId: both.id, node: 'gpu-2' })
    const other = await t.db.plans.create(drainDraft(['gpu-3']), { actor: 'carol', action: 'plan.created', node: 'gpu-3' })
    await t.db.audit.append({ actor: 'system', action: 'node.notready', node: 'gpu-2' })

    const gpu2 = await t.db.audit.list({ node: 'gpu-2' }, 10, null)
    expect(gpu2.items.map((e) => [e.action, e.planId, e.node])).toEqual([
      ['node.notready', null, 'gpu-2'],
      ['change.applied', both.id, 'gpu-2'],
      ['plan.approved', both.id, null],
      ['plan.created', both.id, null],
    ])
    expect(gpu2.totalCount).toBe(4)
    // Combined with the other filters, and in pages.
    expect((await t.db.audit.list({ node: 'gpu-2', actor: 'bob' }, 10, null)).items.map((e) => e.action)).toEqual(['plan.approved'])
    const page = await t.db.audit.list({ node: 'gpu-2' }, 2, null)
    expect((await t.db.audit.list({ node: 'gpu-2' }, 2, page.endCursor)).items.map((e) => e.action)).toEqual(['plan.approved', 'plan.created'])
    expect((await t.db.audit.list({ node: 'gpu-3' }, 10, null)).items.map((e) => e.planId)).toEqual([other.id])
    expect((await t.db.audit.list({ node: 'gpu-9' }, 10, null)).totalCount).toBe(0)
  })

  it('should append events with consecutive seqs, the clock time and a hash linked to the previous one', async () => {
    const first = await t.db.audit.append({ actor: 'alice', action: 'plan.created', planId: 'plan-aaaaaaaaaaaa', detail: { b: 1, a: [true, null] } })
    t.clock.advance(5)
    const second = await t.db.audit.append({ actor: 'bob', action: 'plan.approved' })

    expect(first).toMatchObject({ seq: 1, at: new Date('2026-11-01T10:00:00.000Z'), node: null, detail: { a: [true, null], b: 1 }, prevHash: GENESIS_HASH })
    expect(first.id).toMatch(/^evt-[a-z2-7]{16}$/)
    expect(second).toMatchObject({ seq: 2, at: new Date('2026-11-01T10:00:05.000Z'), planId: null, detail: null, prevHash: first.hash })
    expect(first.hash).toBe(eventHash(GENESIS_HASH, first))
    expect(second.hash).toBe(eventHash(first.hash, second))
    expect(second.hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('should hash a canonical form, so key order in detail does not matter', () => {
    expect(canonicalJson({ b: { d: 1, c: [{ f: 1, e: 2 }] }, a: 'x', u: undefined })).toBe('{"a":"x","b":{"c":[{"e":2,"f":1}],"d":1}}')
  })

  it('should list newest first and filter by node, plan, actor, action and time', async () => {
    await seed()
    const actions = async (filter: object) => (await t.db.audit.list(filter, 50, null)).items.map((e) => e.action)

    expect(await actions({})).toEqual(['join.token.created', 'plan.created', 'change.applied', 'node.notready', 'plan.approved', 'plan.created'])
    expect(await actions({ node: 'gpu-1' })).toEqual(['change.applied', 'plan.approved', 'plan.created'])
    expect(await actions({ planId: 'plan-bbbbbbbbbbbb' })).toEqual(['plan.created'])
    expect(await actions({ actor: 'alice' })).toEqual(['plan.created', 'change.applied', 'plan.created'])
    expect(await actions({ action: 'plan.created' })).toEqual(['plan.created', 'plan.created'])
    expect(await actions({ actor: 'alice', node: 'gpu-2' })).toEqual(['plan.created'])
    // events at 10:00, 10:01, ... 10:05; since and until are inclusive
    expect(await actions({ since: new Date('2026-11-01T10:02:00Z') })).toEqual(['join.token.created', 'plan.created', 'change.applied', 'node.notready'])
    expect(await actions({ until: new Date('2026-11-01T10:01:00Z') })).toEqual(['plan.approved', 'plan.created'])
    expect(await actions({ since: new Date('2026-11-01T10:01:30Z'), until: new Date('2026-11-01T10:03:00Z') })).toEqual(['change.applied', 'node.notready'])
    expect(await actions({ node: null, actor: null })).toHaveLength(6)
    expect((await t.db.audit.list({ node: 'gpu-2' }, 50, null)).items[1]!.detail).toEqual({ since: '2026-11-01T10:00:00Z' })
  })

  it('should page with cursors, counting the whole filtered set', async () => {
    await seed()
    const first = await t.db.audit.list({ actor: 'alice' }, 2, null)
    expect(first.items.map((e) => e.seq)).toEqual([5, 4])
    expect(first).toMatchObject({ hasNextPage: true, totalCount: 3, endCursor: first.cursors[1] })
    const second = await t.db.audit.list({ actor: 'alice' }, 2, first.endCursor)
    expect(second.items.map((e) => e.seq)).toEqual([1])
    expect(second).toMatchObject({ hasNextPage: false, totalCount: 3 })
    expect((await t.db.audit.list({}, 10, first.cursors[0]!)).items.map((e) => e.seq)).toEqual([4, 3, 2, 1])
    const empty = await t.db.audit.list({ node: 'nowhere' }, 10, null)
    expect(empty).toEqual({ items: [], cursors: [], hasNextPage: false, endCursor: null, totalCount: 0 })
  })

  it('should refuse more than 500 per page, a negative size and a foreign cursor', async () => {
    await expect(t.db.audit.list({}, 501, null)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' })
    await expect(t.db.audit.list({}, -1, null)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' })
    const planCursor = Buffer.from('plan:1:plan-aaaaaaaaaaaa').toString('base64url')
    await expect(t.db.audit.list({}, 10, planCursor)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' })
    await expect(t.db.audit.list({}, 10, '%%%')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' })
  })

  it('should verify an untouched chain', async () => {
    await seed()
    expect(await t.db.audit.verify()).toEqual({ checked: 6, firstBroken: null, problem: null, keyed: false })
  })

  it('should verify an empty chain', async () => {
    expect(await t.db.audit.verify()).toEqual({ checked: 0, firstBroken: null, problem: null, keyed: false })
  })

  it('should report a row edited behind the service back as the first broken link', async () => {
    await seed()
    await tamper(`UPDATE "AuditEvent" SET "actor" = 'mallory' WHERE "seq" = 3`)
    const result = await t.db.audit.verify()
    expect(result.checked).toBe(2)
    expect(result.firstBroken).toMatchObject({ seq: 3, actor: 'mallory' })
  })

  it('should report an edited detail, even one that is no longer JSON', async () => {
    await seed()
    await tamper(`UPDATE "AuditEvent" SET "detail" = '{"index":1}' WHERE "seq" = 4`)
    expect((await t.db.audit.verify()).firstBroken?.seq).toBe(4)
    await tamper(`UPDATE "AuditEvent" SET "detail" = 'not json' WHERE "seq" = 2`)
    expect((await t.db.audit.verify()).firstBroken?.seq).toBe(2)
  })

  it('should report a recomputed hash, since the next link no longer matches', async () => {
    await seed()
    const row = (await t.db.audit.list({}, 10, null)).items.find((e) => e.seq === 2)!
    const forged = eventHash(row.prevHash, { ...row, actor: 'mallory' })
    await t.sql(`UPDATE "AuditEvent" SET "actor" = 'mallory', "hash" = ? WHERE "seq" = 2`, [forged])
    expect((await t.db.audit.verify()).firstBroken?.seq).toBe(3)
  })

  it('should report a deleted event at the event after it, and a deleted last event at the new end', async () => {
    await seed()
    await tamper(`DELETE FROM "AuditEvent" WHERE "seq" = 6`)
    expect((await t.db.audit.verify()).firstBroken?.seq).toBe(5)
    await tamper(`DELETE FROM "AuditEvent" WHERE "seq" = 2`)
    expect(await t.db.audit.verify()).toMatchObject({ checked: 1, firstBroken: { seq: 3 } })
  })

  it('should keep the chain whole under many concurrent appends', async () => {
    await Promise.all(Array.from({ length: 60 }, (_, i) => t.db.audit.append({ actor: `a${i % 3}`, action: 'test.event', detail: { i } })))
    const page = await t.db.audit.list({}, 100, null)
    expect(page.items.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => 60 - i))
    expect(await t.db.audit.verify()).toEqual({ checked: 60, firstBroken: null, problem: null, keyed: false })
  })
})
