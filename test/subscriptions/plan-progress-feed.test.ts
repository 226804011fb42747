// PlanProgress on a real database: what it delivers is read from the stored plan, prompted by the
// database's write signal (NOTIFY on PostgreSQL, in-process on SQLite) and by polling.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../src/adapters/db/database.js'
import { PlanProgress, type ChangeProgressEvent } from '../../src/app/plan-progress.js'
import { backends, drainDraft, openTempDatabase, type TempDatabase } from '../db/temp-database.js'

const VIEWER = { subject: 'v', role: 'viewer' as const }
const created = { actor: 'op', action: 'plan.created' }
/** Long enough that only a prompt can explain an event arriving within a test's time. */
const NEVER_POLL = { pollMs: 3_600_000 }

const record = (db: Database, planId: string, index: number, progress: { applied: boolean; error: string | null }) =>
  db.plans.recordChanges(planId, [{ index, progress, audit: null }])

async function drain(iterator: AsyncIterator<ChangeProgressEvent>): Promise<ChangeProgressEvent[]> {
  const got: ChangeProgressEvent[] = []
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) got.push(next.value)
  return got
}

describe.each(backends)('PlanProgress on %s', (backend) => {
  let t: TempDatabase
  beforeEach(async () => {
    t = await openTempDatabase(backend)
  })
  afterEach(async () => {
    await t.cleanup()
  })

  it('delivers each change as the apply records it and ends when the plan is FAILED', async () => {
    const plan = await t.db.plans.create(drainDraft(['gpu-1', 'gpu-2']), created)
    const feed = await new PlanProgress(t.db.plans, t.db.planWrites, NEVER_POLL).watch(VIEWER, plan.id)
    await t.db.plans.startApply(plan.id, ['PENDING'], {}, { actor: 'op', action: 'plan.applying' })
    await record(t.db, plan.id, 1, { applied: true, error: null })
    expect((await feed.next()).value).toMatchObject({ planId: plan.id, index: 1, change: { node: 'gpu-2', applied: true } })
    const pending = feed.next()
    await record(t.db, plan.id, 0, { applied: false, error: 'boom' })
    expect((await pending).value).toMatchObject({ index: 0, change: { applied: false, error: 'boom' } })
    const end = feed.next()
    await t.db.plans.transition(plan.id, ['APPLYING'], 'FAILED', {}, { actor: 'op', action: 'plan.failed' })
    expect(await end).toEqual({ value: undefined, done: true })
  })

  it('replays what was recorded before it subscribed, then ends at once for a final plan', async () => {
    const plan = await t.db.plans.create(drainDraft(['gpu-1', 'gpu-2']), created)
    await t.db.plans.startApply(plan.id, ['PENDING'], {}, { actor: 'op', action: 'plan.applying' })
    await record(t.db, plan.id, 0, { applied: true, error: null })
    await record(t.db, plan.id, 1, { applied: true, error: null })
    await t.db.plans.transition(plan.id, ['APPLYING'], 'APPLIED', {}, { actor: 'op', action: 'plan.applied' })
    const feed = await new PlanProgress(t.db.plans, t.db.planWrites, NEVER_POLL).watch(VIEWER, plan.id)
    expect((await drain(feed)).map((e) => e.index)).toEqual([0, 1])
  })

  it('completes when the plan it follows is discarded', async () => {
    const plan = await t.db.plans.create(drainDraft(['gpu-1']), created)
    const feed = await new PlanProgress(t.db.plans, t.db.planWrites, NEVER_POLL).watch(VIEWER, plan.id)
    const waiting = feed.next()
    await t.db.plans.transition(plan.id, ['PENDING'], 'DISCARDED', {}, { actor: 'op', action: 'plan.discarded' })
    expect(await waiting).toEqual({ value: undefined, done: true })
  })

  it('ends at once for a plan that changes nothing (NO_CHANGES is final)', async () => {
    const plan = await t.db.plans.create(drainDraft(['gpu-1'], { changes: [] }), created, 'NO_CHANGES')
    const feed = await new PlanProgress(t.db.plans, t.db.planWrites, NEVER_POLL).watch(VIEWER, plan.id)
    expect(await feed.next()).toEqual({ value: undefined, done: true })
  })

  it('sees what another process records: prompted on PostgreSQL, by polling on SQLite', async () => {
    const plan = await t.db.plans.create(drainDraft(['gpu-1']), created)
    // Another replica: its own connection, its own write signal.
    const other = await openDatabase(t.url)
    try {
      const options = backend === 'postgresql' ? NEVER_POLL : { pollMs: 50 }
      const feed = await new PlanProgress(t.db.plans, t.db.planWrites, options).watch(VIEWER, plan.id)
      await other.plans.startApply(plan.id, ['PENDING'], {}, { actor: 'op', action: 'plan.applying' })
      await record(other, plan.id, 0, { applied: true, error: null })
      await other.plans.transition(plan.id, ['APPLYING'], 'APPLIED', {}, { actor: 'op', action: 'plan.applied' })
      expect((await drain(feed)).map((e) => [e.index, e.change.applied])).toEqual([[0, true]])
    } finally {
      await other.close()
    }
  })

  it('stops reading when the subscriber leaves, even while waiting', async () => {
    const plan = await t.db.plans.create(drainDraft(['gpu-1']), created)
    const feed = await new PlanProgress(t.db.plans, t.db.planWrites, NEVER_POLL).watch(VIEWER, plan.id)
    const waiting = feed.next()
    await feed.return!()
    expect(await waiting).toEqual({ value: undefined, done: true })
  })

  it('an unknown plan is NOT_FOUND', async () => {
    await expect(new PlanProgress(t.db.plans, t.db.planWrites).watch(VIEWER, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
