import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { labelChange } from '../../src/domain/change.js'
import { NodeplanError } from '../../src/domain/errors.js'
import { backends, drainDraft, openTempDatabase } from './temp-database.js'
import type { TempDatabase } from './temp-database.js'

const created = { actor: 'alice', action: 'plan.created' }

describe.each(backends)('PrismaPlanRepository on %s', (backend) => {
  let t: TempDatabase
  beforeEach(async () => {
    t = await openTempDatabase(backend)
  })
  afterEach(() => t.cleanup())

  it('should store a draft as PENDING and read back every field', async () => {
    const draft = drainDraft(['gpu-1', 'gpu-2'], { warnings: ['2 pods covered by a PDB'] })
    draft.changes.push(labelChange('gpu-1', 'team', 'a', 'b', 'REQUESTED'))

    const plan = await t.db.plans.create(draft, created)

    expect(plan.id).toMatch(/^plan-[a-z2-7]{12}$/)
    const stored = await t.db.plans.get(plan.id)
    expect(stored).toEqual(plan)
    expect(stored).toMatchObject({
      kind: 'DRAIN',
      status: 'PENDING',
      reason: 'firmware upgrade',
      createdBy: 'alice',
      createdAt: t.clock.now(),
      approvedBy: null,
      appliedBy: null,
      appliedAt: null,
      nodes: ['gpu-1', 'gpu-2'],
      impact: draft.impact,
      warnings: ['2 pods covered by a PDB'],
      inputs: draft.inputs,
      rollbackOf: null,
    })
    expect(stored!.changes).toEqual(draft.changes.map((c) => ({ ...c, applied: false, error: null, retry: null })))
  })

  it('should append the creation audit event with the new plan id in the same write', async () => {
    const plan = await t.db.plans.create(drainDraft(['gpu-1']), { ...created, node: 'gpu-1', detail: { kind: 'DRAIN' } })
    const page = await t.db.audit.list({ planId: plan.id }, 10, null)
    expect(page.items.map((e) => [e.action, e.planId, e.node, e.detail])).toEqual([['plan.created', plan.id, 'gpu-1', { kind: 'DRAIN' }]])
  })

  it('should store a plan without changes and with repeated node names', async () => {
    const plan = await t.db.plans.create(drainDraft(['n1', 'n1'], { changes: [] }), created)
    expect((await t.db.plans.get(plan.id))?.changes).toEqual([])
    expect((await t.db.plans.list({ node: 'n1', first: 5 })).totalCount).toBe(1)
  })

  it('should read change rows as every release wrote them (the target kept in the address) as typed changes', async () => {
    const plan = await t.db.plans.create(drainDraft(['gpu-1'], { changes: [] }), created)
    const rows: [string, string, string, string | null, string | null, string][] = [
      ['node/gpu-1/taint/example.com/maint:NoSchedule', 'TAINT', 'DELETE', '{"key":"example.com/maint","value":"a:b","effect":"NoSchedule"}', null, 'REQUESTED'],
      ['node/gpu-1/taint/runai:NoExecute', 'TAINT', 'NO_OP', null, null, 'CHANGED_SINCE'],
      ['node/gpu-1/label/node-role.kubernetes.io/runai-system', 'LABEL', 'CREATE', null, '""', 'REQUESTED'],
      ['node/gpu-1', 'NODE', 'DELETE', '{"name":"gpu-1","labels":{"team":"a"}}', null, 'DECOMMISSION'],
    ]
    for (const [index, [address, resource, action, before, after, reason]] of rows.entries()) {
      await t.sql(
        `INSERT INTO "PlanChange" ("planId", "index", "address", "node", "resource", "action", "before", "after", "reason", "applied") VALUES (?, ?, ?, 'gpu-1', ?, ?, ?, ?, ?, false)`,
        [plan.id, index, address, resource, action, before, after, reason],
      )
    }
    const changes = (await t.db.plans.get(plan.id))!.changes
    expect(changes.map(({ resource, target, address, before, after }) => ({ resource, target, address, before, after }))).toEqual([
      {
        resource: 'TAINT',
        target: { node: 'gpu-1', key: 'example.com/maint', effect: 'NoSchedule' },
        address: 'node/gpu-1/taint/example.com/maint:NoSchedule',
        before: { key: 'example.com/maint', value: 'a:b', effect: 'NoSchedule' },
        after: null,
      },
      { resource: 'TAINT', target: { node: 'gpu-1', key: 'runai', effect: 'NoExecute' }, address: 'node/gpu-1/taint/runai:NoExecute', before: null, after: null },
      { resource: 'LABEL', target: { node: 'gpu-1', key: 'node-role.kubernetes.io/runai-system' }, address: 'node/gpu-1/label/node-role.kubernetes.io/runai-system', before: null, after: '' },
      { resource: 'NODE', target: { node: 'gpu-1' }, address: 'node/gpu-1', before: { name: 'gpu-1', labels: { team: 'a' } }, after: null },
    ])
  })

  it('should return null for an unknown plan', async () => {
    expect(await t.db.plans.get('plan-aaaaaaaaaaaa')).toBeNull()
  })

  it('should list newest first, filtered by status and node, in cursor pages with the filtered total', async () => {
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      ids.push((await t.db.plans.create(drainDraft([i % 2 === 0 ? 'even' : 'odd', 'shared']), created)).id)
      t.clock.advance(1)
    }
    await t.db.plans.transition(ids[4]!, ['PENDING'], 'DISCARDED', {}, { actor: 'bob', action: 'plan.discarded' })

    const all = await t.db.plans.list({ first: 10 })
    expect(all.items.map((p) => p.id)).toEqual([...ids].reverse())
    expect(all.totalCount).toBe(5)
    expect(all.hasNextPage).toBe(false)

    const even = await t.db.plans.list({ node: 'even', first: 10 })
    expect(even.items.map((p) => p.id)).toEqual([ids[4], ids[2], ids[0]])

    const pending = await t.db.plans.list({ status: ['PENDING'], node: 'even', first: 10 })
    expect(pending.items.map((p) => p.id)).toEqual([ids[2], ids[0]])
    expect(pending.totalCount).toBe(2)

    const first = await t.db.plans.list({ node: 'shared', first: 2 })
    expect(first.items.map((p) => p.id)).toEqual([ids[4], ids[3]])
    expect(first).toMatchObject({ hasNextPage: true, totalCount: 5, endCursor: first.cursors[1] })
    const second = await t.db.plans.list({ node: 'shared', first: 2, after: first.endCursor })
    expect(second.items.map((p) => p.id)).toEqual([ids[2], ids[1]])
    const fromEdge = await t.db.plans.list({ node: 'shared', first: 10, after: first.cursors[0] })
    expect(fromEdge.items.map((p) => p.id)).toEqual([ids[3], ids[2], ids[1], ids[0]])
    const last = await t.db.plans.list({ node: 'shared', first: 2, after: second.endCursor })
    expect(last.items.map((p) => p.id)).toEqual([ids[0]])
    expect(last.hasNextPage).toBe(false)
  })

  it('should order plans created in the same millisecond by id and page through them without loss', async () => {
    const ids = []
    for (let i = 0; i < 4; i++) ids.push((await t.db.plans.create(drainDraft(['n']), created)).id)
    const seen: string[] = []
    let after: string | null = null
    do {
      const page = await t.db.plans.list({ first: 1, after })
      seen.push(...page.items.map((p) => p.id))
      after = page.hasNextPage ? page.endCursor : null
    } while (after)
    expect(seen).toEqual([...ids].sort().reverse())
  })

  it('should refuse a page larger than 500 and a cursor it did not make', async () => {
    await expect(t.db.plans.list({ first: 501 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' })
    await expect(t.db.plans.list({ first: 5, after: 'bm90LWEtY3Vyc29y' })).rejects.toBeInstanceOf(NodeplanError)
    expect((await t.db.plans.list({ first: 500 })).items).toEqual([])
  })

  it('should move a plan only from the expected statuses, setting the given fields and auditing it', async () => {
    const plan = await t.db.plans.create(drainDraft(['gpu-1']), created)
    t.clock.advance(60)

    expect(await t.db.plans.transition(plan.id, ['APPROVED'], 'APPLYING', {}, { actor: 'x', action: 'plan.applying' })).toBeNull()
    const approved = await t.db.plans.transition(plan.id, ['PENDING'], 'APPROVED', { approvedBy: 'bob' }, { actor: 'bob', action: 'plan.approved' })
    expect(approved).toMatchObject({ status: 'APPROVED', approvedBy: 'bob' })
    const appliedAt = t.clock.now()
    const applying = await t.db.plans.transition(plan.id, ['APPROVED'], 'APPLYING', { appliedBy: 'carol', appliedAt }, { actor: 'carol', action: 'plan.applying' })
    expect(applying).toMatchObject({ status: 'APPLYING', appliedBy: 'carol', appliedAt })
    // A move the status table does not allow is a bug in the caller: refused, nothing written.
    await expect(t.db.plans.transition(plan.id, ['APPLYING'], 'DISCARDED', {}, { actor: 'x', action: 'plan.discarded' })).rejects.toThrow('a plan does not move from APPLYING to DISCARDED')
    expect(await t.db.plans.transition(plan.id, ['APPLYING'], 'APPLIED', {}, { actor: 'carol', action: 'plan.applied' })).toMatchObject({ status: 'APPLIED' })

    const audit = await t.db.audit.list({ planId: plan.id }, 10, null)
    expect(audit.items.map((e) => e.action)).toEqual(['plan.applied', 'plan.applying', 'plan.approved', 'plan.created'])
  })

  it('should let exactly one of two concurrent transitions of a plan win', async () => {
    const plan = await t.db.plans.create(drainDraft(['gpu-1']), created)
    const results = await Promise.all(
      ['a', 'b'].map((actor) => t.db.plans.transition(plan.id, ['PENDING', 'APPROVED'], 'APPLYING', { appliedBy: actor }, { actor, action: 'plan.applying' })),
    )
    expect(results.filter((r) => r !== null)).toHaveLength(1)
    const audit = await t.db.audit.list({ action: 'plan.applying' }, 10, null)
    expect(audit.totalCount).toBe(1)
  })

  it('should record change progress and its audit events in one write, and refuse an unknown change with nothing written', async () => {
    const plan = await t.db.plans.create(drainDraft(['gpu-1', 'gpu-2']), created)
    await t.db.plans.recordChanges(plan.id, [
      { index: 1, progress: { applied: true, error: null }, audit: { actor: 'alice', action: 'change.applied', node: 'gpu-2' } },
      { index: 0, progress: { applied: false, error: 'node gpu-1: 500 from the API server' }, audit: null },
    ])

    const stored = await t.db.plans.get(plan.id)
    expect(stored!.changes.map((c) => [c.applied, c.error])).toEqual([
      [false, 'node gpu-1: 500 from the API server'],
      [true, null],
    ])
    expect((await t.db.audit.list({ action: 'change.applied' }, 10, null)).items.map((e) => [e.planId, e.node])).toEqual([[plan.id, 'gpu-2']])
    await expect(
      t.db.plans.recordChanges(plan.id, [
        { index: 0, progress: { applied: true, error: null }, audit: { actor: 'alice', action: 'change.applied', node: 'gpu-1' } },
        { index: 7, progress: { applied: true, error: null }, audit: null },
      ]),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await t.db.plans.get(plan.id))!.changes[0]!.applied).toBe(false)
    expect((await t.db.audit.list({ action: 'change.applied' }, 10, null)).totalCount).toBe(1)
  })

  it('should record a change being retried, keep it once the change is reported, and never record a retry after the outcome', async () => {
    const plan = await t.db.plans.create(drainDraft(['gpu-1', 'gpu-2']), created)
    const until = new Date('2026-12-06T05:00:30.000Z')
    await t.db.plans.recordRetry(plan.id, 0, { attempt: 2, error: '500 InternalError: boom', until })
    await t.db.plans.recordRetry(plan.id, 0, { attempt: 3, error: '503 ServiceUnavailable: down', until })
    expect((await t.db.plans.get(plan.id))!.changes.map((c) => c.retry ?? null)).toEqual([{ attempt: 3, error: '503 ServiceUnavailable: down', until }, null])

    await t.db.plans.recordChanges(plan.id, [
      { index: 0, progress: { applied: true, error: null }, audit: null },
      { index: 1, progress: { applied: false, error: 'boom' }, audit: null },
    ])
    await t.db.plans.recordRetry(plan.id, 0, { attempt: 4, error: 'late', until })
    await t.db.plans.recordRetry(plan.id, 1, { attempt: 2, error: 'late', until })
    const stored = (await t.db.plans.get(plan.id))!.changes
    expect(stored.map((c) => [c.applied, c.error, c.retry?.attempt ?? null])).toEqual([
      [true, null, 3],
      [false, 'boom', null],
    ])
  })

  it('should chain the audit events of a batch of changes in the order given, the chain verifying', async () => {
    const plan = await t.db.plans.create(drainDraft(['gpu-1', 'gpu-2', 'gpu-3']), created)
    await t.db.plans.recordChanges(plan.id, [
      { index: 2, progress: { applied: true, error: null }, audit: { actor: 'alice', action: 'change.applied', node: 'gpu-3' } },
      { index: 0, progress: { applied: false, error: 'boom' }, audit: { actor: 'alice', action: 'change.failed', node: 'gpu-1', detail: { error: 'boom' } } },
      { index: 1, progress: { applied: true, error: null }, audit: { actor: 'alice', action: 'change.applied', node: 'gpu-2' } },
    ])
    const stored = await t.db.plans.get(plan.id)
    expect(stored!.changes.map((c) => [c.applied, c.error])).toEqual([
      [false, 'boom'],
      [true, null],
      [true, null],
    ])
    const events = (await t.db.audit.list({ planId: plan.id }, 10, null)).items.reverse()
    expect(events.map((e) => [e.action, e.node])).toEqual([
      ['plan.created', null],
      ['change.applied', 'gpu-3'],
      ['change.failed', 'gpu-1'],
      ['change.applied', 'gpu-2'],
    ])
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4].map((n) => events[0]!.seq + n - 1))
    expect(await t.db.audit.verify()).toEqual({ checked: events.at(-1)!.seq, firstBroken: null, problem: null, keyed: false })
    // The next write continues the chain from the batch's last event.
    await t.db.plans.transition(plan.id, ['PENDING'], 'APPLYING', {}, { actor: 'alice', action: 'plan.applying' })
    expect((await t.db.audit.verify()).problem).toBeNull()
  })

  it('should start an apply with all its node locks or none, name the holder of a conflict, and free them when the plan moves on', async () => {
    const first = await t.db.plans.create(drainDraft(['a', 'b']), created)
    const second = await t.db.plans.create(drainDraft(['b', 'c']), created)
    const applying = { actor: 'alice', action: 'plan.applying' }

    const started = await t.db.plans.startApply(first.id, ['PENDING'], { applyOwner: 'r1', leaseExpiresAt: t.clock.now() }, applying)
    expect('started' in started && started.started.status).toBe('APPLYING')
    expect(await t.db.plans.startApply(first.id, ['PENDING'], {}, applying)).toEqual({ moved: true })
    expect(await t.db.plans.startApply(second.id, ['PENDING'], {}, applying)).toEqual({ locked: { node: 'b', heldBy: first.id } })
    // All or nothing, and the refused plan did not move: c was not taken, the plan is still PENDING.
    expect((await t.db.plans.get(second.id))!.status).toBe('PENDING')
    expect(await t.db.plans.nodeLocks()).toEqual([
      { node: 'a', planId: first.id },
      { node: 'b', planId: first.id },
    ])
    // Even with its lease long expired, the holder keeps its nodes: only the sweeper takes it over.
    t.clock.advance(3600)
    expect(await t.db.plans.startApply(second.id, ['PENDING'], {}, applying)).toEqual({ locked: { node: 'b', heldBy: first.id } })

    await t.db.plans.transition(first.id, ['APPLYING'], 'APPLIED', {}, { actor: 'alice', action: 'plan.applied' })
    expect(await t.db.plans.nodeLocks()).toEqual([])
    expect('started' in (await t.db.plans.startApply(second.id, ['PENDING'], {}, applying))).toBe(true)
    expect((await t.db.audit.list({ planId: second.id, action: 'plan.applying' }, 10, null)).totalCount).toBe(1)
  })

  it('should find the last applied plan of a kind on a node, and open plans of a kind', async () => {
    const old = await t.db.plans.create(drainDraft(['n1'], { kind: 'DECOMMISSION' }), created)
    await apply(t, old.id)
    t.clock.advance(10)
    const recent = await t.db.plans.create(drainDraft(['n1'], { kind: 'DECOMMISSION' }), created)
    await apply(t, recent.id)
    const running = await t.db.plans.create(drainDraft(['n1']), created)
    await t.db.plans.transition(running.id, ['PENDING'], 'APPLYING', {}, { actor: 'a', action: 'plan.applying' })
    t.clock.advance(10)
    const waiting = await t.db.plans.create(drainDraft(['n1', 'n2']), created)
    await t.db.plans.create(drainDraft(['n2']), created)

    expect((await t.db.plans.lastApplied('DECOMMISSION', 'n1'))?.id).toBe(recent.id)
    expect(await t.db.plans.lastApplied('DECOMMISSION', 'n2')).toBeNull()
    expect((await t.db.plans.pendingFor('n1', 'DRAIN')).map((p) => p.id)).toEqual([waiting.id, running.id])
    expect(await t.db.plans.pendingFor('n1', 'UNDRAIN')).toEqual([])
  })

  it('should keep a rollback plan linked to the plan it undoes', async () => {
    const original = await t.db.plans.create(drainDraft(['n1']), created)
    const rollback = await t.db.plans.create(drainDraft(['n1'], { kind: 'ROLLBACK', rollbackOf: original.id }), created)
    expect((await t.db.plans.get(rollback.id))?.rollbackOf).toBe(original.id)
  })

  it('should store a plan as NO_CHANGES when told, and find plans of given statuses made before a time, oldest first', async () => {
    const none = await t.db.plans.create(drainDraft(['n0'], { changes: [] }), created, 'NO_CHANGES')
    expect(none.status).toBe('NO_CHANGES')
    const old = await t.db.plans.create(drainDraft(['n1']), created)
    t.clock.advance(3600)
    const approved = await t.db.plans.create(drainDraft(['n2']), created)
    await t.db.plans.transition(approved.id, ['PENDING'], 'APPROVED', { approvedBy: 'bob' }, { actor: 'bob', action: 'plan.approved' })
    t.clock.advance(3600)
    const young = await t.db.plans.create(drainDraft(['n3']), created)
    const cutoff = new Date(young.createdAt.getTime() - 1)
    expect((await t.db.plans.createdBefore(['PENDING', 'APPROVED'], cutoff, 10)).map((p) => p.id)).toEqual([old.id, approved.id])
    expect((await t.db.plans.createdBefore(['PENDING', 'APPROVED'], cutoff, 1)).map((p) => p.id)).toEqual([old.id])
    expect((await t.db.plans.createdBefore(['APPROVED'], cutoff, 10)).map((p) => p.id)).toEqual([approved.id])
    expect((await t.db.plans.createdBefore(['PENDING'], old.createdAt, 10))).toEqual([])
  })
})

/** Moves a PENDING plan through APPLYING to APPLIED, as an apply does. */
async function apply(t: TempDatabase, id: string): Promise<void> {
  await t.db.plans.transition(id, ['PENDING'], 'APPLYING', { appliedAt: t.clock.now() }, { actor: 'a', action: 'plan.applying' })
  await t.db.plans.transition(id, ['APPLYING'], 'APPLIED', {}, { actor: 'a', action: 'plan.applied' })
}
