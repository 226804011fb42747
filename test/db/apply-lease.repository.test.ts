// The apply lease on the plan row: who applies a plan and until when (ApplyLeases).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { backends, drainDraft, openTempDatabase, type TempDatabase } from './temp-database.js'

const at = (iso: string) => new Date(`2026-11-01T${iso}Z`)
const T0 = at('10:00:00')
const T30 = at('10:00:30')
const T31 = at('10:00:31')

describe.each(backends)('apply leases on %s', (backend) => {
  let t: TempDatabase
  beforeEach(async () => {
    t = await openTempDatabase(backend)
  })
  afterEach(() => t.cleanup())

  /** A plan moved to APPLYING by `clock`'s time (10:00:00), as applyPlan leaves it before taking the lease. */
  async function applyingPlan(): Promise<string> {
    const plan = await t.db.plans.create(drainDraft(['gpu-1']), { actor: 'alice', action: 'plan.created' })
    await t.db.plans.transition(plan.id, ['PENDING'], 'APPLYING', {}, { actor: 'alice', action: 'plan.applying' })
    return plan.id
  }

  it('should give a free lease to the first replica and refuse it to another until it expires', async () => {
    const id = await applyingPlan()
    expect(await t.db.leases.take(id, 'a', T0, T30, null)).toBe(true)
    expect(await t.db.leases.take(id, 'b', at('10:00:29'), at('10:00:59'), null)).toBe(false)
    expect(await t.db.leases.take(id, 'a', at('10:00:10'), at('10:00:40'), null), 'its own lease again').toBe(true)
    expect(await t.db.leases.take(id, 'b', at('10:00:41'), at('10:01:11'), { actor: 'system', action: 'plan.resumed' })).toBe(true)
    const rows = await t.sql(`SELECT "applyOwner" FROM "Plan" WHERE "id" = ?`, [id])
    expect(rows).toEqual([{ applyOwner: 'b' }])
    expect((await t.db.audit.list({ planId: id, action: 'plan.resumed' }, 10, null)).totalCount).toBe(1)
  })

  it('should append the take-over event only when the lease was taken', async () => {
    const id = await applyingPlan()
    await t.db.leases.take(id, 'a', T0, T30, null)
    expect(await t.db.leases.take(id, 'b', T0, T30, { actor: 'system', action: 'plan.resumed' })).toBe(false)
    expect((await t.db.audit.list({ planId: id, action: 'plan.resumed' }, 10, null)).totalCount).toBe(0)
    expect(await t.db.audit.verify()).toMatchObject({ firstBroken: null, problem: null })
  })

  it('should let only the holder renew, and only while the plan is APPLYING', async () => {
    const id = await applyingPlan()
    await t.db.leases.take(id, 'a', T0, T30, null)
    expect(await t.db.leases.renew(id, 'b', at('10:00:40'))).toBe(false)
    expect(await t.db.leases.renew(id, 'a', at('10:00:40'))).toBe(true)
    expect(await t.db.leases.take(id, 'b', T31, at('10:01:01'), null), 'renewed: not expired at 10:00:31').toBe(false)
    await t.db.plans.transition(id, ['APPLYING'], 'APPLIED', {}, { actor: 'a', action: 'plan.applied' })
    expect(await t.db.leases.renew(id, 'a', at('10:00:50'))).toBe(false)
    expect(await t.db.leases.take(id, 'b', at('10:05:00'), at('10:05:30'), null), 'a finished plan is nobody\'s to take').toBe(false)
  })

  it('should list as orphaned the expired leases and lease-less plans idle long enough', async () => {
    const expired = await applyingPlan()
    const live = await applyingPlan()
    const leaseless = await applyingPlan() // moved to APPLYING at 10:00:00, never leased
    await t.db.leases.take(expired, 'dead', T0, T30, null)
    await t.db.leases.take(live, 'other', T0, at('10:01:00'), null)

    const sorted = (ids: string[]) => [...ids].sort()
    expect(sorted(await t.db.leases.orphaned(T31, at('09:59:00')))).toEqual([expired])
    expect(sorted(await t.db.leases.orphaned(T31, at('10:00:01')))).toEqual(sorted([expired, leaseless]))
    expect(await t.db.leases.orphaned(T0, at('09:59:00'))).toEqual([])
  })
})
