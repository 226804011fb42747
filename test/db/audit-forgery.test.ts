// Someone with write access to the database (and none to nodeplan's configuration) forges the
// audit trail; verify must report each forgery, with the audit key even a fully recomputed chain.
import { afterEach, describe, expect, it } from 'vitest'
import { eventHash, type ChainedContent } from '../../src/adapters/db/audit-chain.js'
import type { AuditEvent } from '../../src/app/ports.js'
import { backends, openTempDatabase, type TempDatabase } from './temp-database.js'

const KEY = 'k'.repeat(16) + '0123456789abcdef0123456789abcdef'

let t: TempDatabase | null = null
afterEach(async () => {
  await t?.cleanup()
  t = null
})

async function open(backend: (typeof backends)[number], keyed: boolean): Promise<TempDatabase> {
  t = await openTempDatabase(backend, keyed ? { auditKey: KEY } : {})
  for (const [i, action] of ['plan.created', 'plan.approved', 'plan.applying', 'change.applied', 'plan.applied', 'plan.created'].entries()) {
    await t.db.audit.append({ actor: i === 1 ? 'bob' : 'alice', action, planId: `plan-${i < 5 ? 'aaaaaaaaaaaa' : 'bbbbbbbbbbbb'}`, node: 'gpu-1' })
    t.clock.advance(60)
  }
  return t
}

/** Every event, oldest first, read through the service as anyone may. */
async function events(db: TempDatabase): Promise<AuditEvent[]> {
  return (await db.db.audit.list({}, 500, null)).items.reverse()
}

/** Inserts an event row with a correct SHA-256 link to `prev` (what a forger can compute), at `prev`'s time. */
async function forge(db: TempDatabase, seq: number, prev: AuditEvent, content: Partial<ChainedContent> = {}): Promise<string> {
  const event: ChainedContent = { seq, at: prev.at, actor: 'mallory', action: 'plan.approved', planId: 'plan-bbbbbbbbbbbb', node: 'gpu-1', detail: null, ...content }
  const id = `evt-forged${String(seq).replace('-', 'm')}aaaaaaaa`.slice(0, 20)
  await db.sql(
    `INSERT INTO "AuditEvent" ("seq", "id", "at", "actor", "action", "planId", "node", "detail", "prevHash", "hash")
     SELECT ?, ?, "at", ?, ?, ?, ?, NULL, ?, ? FROM "AuditEvent" WHERE "seq" = ?`,
    [seq, id, event.actor, event.action, event.planId, event.node, prev.hash, eventHash(prev.hash, event), prev.seq],
  )
  return id
}

describe.each(backends)('verify against a database writer on %s', (backend) => {
  describe.each([false, true])('keyed %s', (keyed) => {
    it('reports an event inserted above the head (a forged plan.approved as the newest event)', async () => {
      const db = await open(backend, keyed)
      const all = await events(db)
      const last = all.at(-1)!
      const id = await forge(db, last.seq + 1, last)
      // The forgery is what a reader sees first...
      expect((await db.db.audit.list({}, 1, null)).items[0]!.id).toBe(id)
      // ...and verify names it.
      const result = await db.db.audit.verify()
      expect(result.problem).toContain('beyond the head')
      expect(result.firstBroken?.id).toBe(id)
    })

    it.each([0, -1])('reports an event inserted with seq %i', async (seq) => {
      const db = await open(backend, keyed)
      const first = (await events(db))[0]!
      const id = await forge(db, seq, first)
      const result = await db.db.audit.verify()
      expect(result.problem).toContain('numbers start at 1')
      expect(result.firstBroken?.id).toBe(id)
    })

    it('reports events removed from the middle', async () => {
      const db = await open(backend, keyed)
      await db.sql(`DELETE FROM "AuditEvent" WHERE "seq" IN (2, 3)`)
      const result = await db.db.audit.verify()
      expect(result).toMatchObject({ checked: 1, firstBroken: { seq: 4 } })
      expect(result.problem).toContain('#2 to #3 are missing')
    })
  })

  it('with the key: reports the newest events removed and the head moved back to the new end', async () => {
    const db = await open(backend, true)
    const all = await events(db)
    const newEnd = all.at(-3)!
    await db.sql(`DELETE FROM "AuditEvent" WHERE "seq" > ?`, [newEnd.seq])
    await db.sql(`UPDATE "AuditHead" SET "seq" = ?, "hash" = ? WHERE "id" = 1`, [newEnd.seq, newEnd.hash])
    const result = await db.db.audit.verify()
    expect(result).toMatchObject({ keyed: true, checked: newEnd.seq, firstBroken: { id: newEnd.id } })
    expect(result.problem).toContain("head's seal does not hold")
  })

  it('without the key: the same cut cannot be told from a shorter trail, and verify says it is unkeyed', async () => {
    const db = await open(backend, false)
    const all = await events(db)
    const newEnd = all.at(-3)!
    await db.sql(`DELETE FROM "AuditEvent" WHERE "seq" > ?`, [newEnd.seq])
    await db.sql(`UPDATE "AuditHead" SET "seq" = ?, "hash" = ? WHERE "id" = 1`, [newEnd.seq, newEnd.hash])
    expect(await db.db.audit.verify()).toMatchObject({ keyed: false, problem: null })
  })

  it.each([true, false])('recomputing every hash after an edit: keyed %s', async (keyed) => {
    const db = await open(backend, keyed)
    const all = await events(db)
    let prevHash = all[0]!.hash
    for (const event of all.slice(1)) {
      const edited = event.seq === 2 ? { ...event, actor: 'mallory' } : event
      const hash = eventHash(prevHash, edited)
      await db.sql(`UPDATE "AuditEvent" SET "actor" = ?, "prevHash" = ?, "hash" = ? WHERE "seq" = ?`, [edited.actor, prevHash, hash, event.seq])
      prevHash = hash
    }
    await db.sql(`UPDATE "AuditHead" SET "hash" = ? WHERE "id" = 1`, [prevHash])
    const result = await db.db.audit.verify()
    if (keyed) {
      expect(result.problem).toContain("head's seal does not hold")
      // The first event no keyed hash covers any more: the edited one.
      expect(result.firstBroken).toMatchObject({ seq: 2, actor: 'mallory' })
    } else {
      expect(result).toMatchObject({ keyed: false, problem: null })
    }
  })

  it('with the key: a forged plan.approved with a correct SHA-256 link is not an approval', async () => {
    const db = await open(backend, true)
    const all = await events(db)
    expect((await db.db.audit.approvalOf('plan-aaaaaaaaaaaa'))?.actor).toBe('bob')
    await db.sql(`DELETE FROM "AuditEvent" WHERE "seq" = ?`, [all.at(-1)!.seq])
    await forge(db, all.at(-1)!.seq, all.at(-2)!)
    expect(await db.db.audit.approvalOf('plan-bbbbbbbbbbbb')).toBeNull()
  })
})

describe.each(backends)('a trail from before the audit key, on %s', (backend) => {
  it('keeps verifying without a key, is sealed at the first start with one, and then holds against edits', async () => {
    t = await openTempDatabase(backend)
    for (const action of ['plan.created', 'plan.approved', 'plan.applied']) await t.db.audit.append({ actor: 'alice', action })
    // As a database from before the seal column: no MAC on the head.
    expect(await t.sql(`SELECT "mac" FROM "AuditHead"`)).toEqual([{ mac: null }])
    expect(await t.db.audit.verify()).toEqual({ checked: 3, firstBroken: null, problem: null, keyed: false })
    await t.db.close()

    const { openDatabase } = await import('../../src/adapters/db/database.js')
    const reopened = await openDatabase(t.url, { clock: t.clock, auditKey: KEY })
    t.db = reopened
    expect(reopened.auditSeal).toEqual({ state: 'sealed-now', events: 3 })
    const sealed = (await reopened.audit.list({}, 1, null)).items[0]!
    expect(sealed).toMatchObject({ seq: 4, actor: 'nodeplan', action: 'audit.sealed', detail: { unsealedEvents: 3 } })
    await reopened.audit.append({ actor: 'alice', action: 'plan.created' })
    expect(await reopened.audit.verify()).toEqual({ checked: 5, firstBroken: null, problem: null, keyed: true })

    // Blanking the seal does not get the trail sealed again at the next start.
    await reopened.close()
    await t.sql(`UPDATE "AuditHead" SET "mac" = NULL`)
    t.db = await openDatabase(t.url, { clock: t.clock, auditKey: KEY })
    expect(t.db.auditSeal).toEqual({ state: 'removed' })
    expect((await t.db.audit.verify()).problem).toContain('carries no seal')
    await t.db.close()

    // An operator who has read that report may take the trail as it stands: recorded in the trail.
    t.db = await openDatabase(t.url, { clock: t.clock, auditKey: KEY, auditReseal: true })
    expect(t.db.auditSeal).toEqual({ state: 'sealed-now', events: 5 })
    expect((await t.db.audit.list({}, 1, null)).items[0]).toMatchObject({ action: 'audit.sealed', detail: { unsealedEvents: 5, resealed: 'removed' } })
    expect(await t.db.audit.verify()).toMatchObject({ checked: 6, problem: null, keyed: true })
    await t.db.close()
  })

  it('reports a trail appended to without the key once sealed, until an operator reseals it', async () => {
    t = await openTempDatabase(backend, { auditKey: KEY })
    await t.db.audit.append({ actor: 'alice', action: 'plan.created' })
    await t.db.close()
    const { openDatabase } = await import('../../src/adapters/db/database.js')
    t.db = await openDatabase(t.url, { clock: t.clock })
    expect(t.db.auditSeal).toEqual({ state: 'unkeyed' })
    await t.db.audit.append({ actor: 'alice', action: 'plan.approved' })
    await t.db.close()

    t.db = await openDatabase(t.url, { clock: t.clock, auditKey: KEY })
    expect(t.db.auditSeal).toEqual({ state: 'broken' })
    await t.db.audit.append({ actor: 'alice', action: 'plan.applied' })
    expect(await t.db.audit.verify()).toMatchObject({ checked: 4, firstBroken: { seq: 3, action: 'plan.approved' }, keyed: true })
    await t.db.close()

    t.db = await openDatabase(t.url, { clock: t.clock, auditKey: KEY, auditReseal: true })
    expect(t.db.auditSeal).toEqual({ state: 'sealed-now', events: 4 })
    expect(await t.db.audit.verify()).toMatchObject({ checked: 5, problem: null, keyed: true })
    await t.db.close()
  })
})
