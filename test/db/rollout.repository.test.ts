// Stored rollouts: the whole state round-trips (dates inside the JSON too), every write is a
// compare-and-set on the version with its audit events, one replica drives a rollout by lease.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { planRollout } from '../../src/domain/rollout-waves.js'
import { buildNode, buildSnapshot } from '../factories.js'
import { backends, openTempDatabase, type TempDatabase } from './temp-database.js'

const at = (iso: string) => new Date(`2026-11-01T${iso}Z`)
const draft = (cluster = 'default') => ({
  ...planRollout(buildSnapshot([buildNode('sys-1', { roles: ['SYSTEM'] }), buildNode('gpu-1'), buildNode('gpu-2')]), {
    reason: 'CHG-1',
    createdBy: 'alice',
    nodes: ['gpu-1', 'gpu-2'],
    notBefore: at('12:00:00'),
    window: { cron: '0 22 * * *', durationMinutes: 60, timeZone: 'Europe/Berlin' },
  }),
  cluster,
})

describe.each(backends)('rollouts on %s', (backend) => {
  let t: TempDatabase
  beforeEach(async () => {
    t = await openTempDatabase(backend)
  })
  afterEach(() => t.cleanup())

  it('stores a rollout and reads it back whole, dates as dates', async () => {
    const created = await t.db.rollouts.create(draft(), { actor: 'alice', action: 'rollout.planned' })
    expect(created.id).toMatch(/^rollout-[a-z2-7]{12}$/)
    const read = (await t.db.rollouts.get(created.id))!
    expect(read).toEqual(created)
    expect(read.notBefore).toEqual(at('12:00:00'))
    expect(read.waves.map((w) => w.nodes.map((n) => n.name))).toEqual([['gpu-1'], ['gpu-2']])
    const started = { ...read, waves: read.waves.map((w, i) => (i === 0 ? { ...w, status: 'RUNNING' as const, startedAt: at('12:01:00') } : w)) }
    const saved = (await t.db.rollouts.save(started, [{ actor: 'system', action: 'rollout.wave.started' }]))!
    expect(saved.waves[0]!.startedAt).toEqual(at('12:01:00'))
    expect((await t.db.audit.list({ action: 'rollout.wave.started' }, 10, null)).items[0]).toMatchObject({ planId: created.id, cluster: 'default', detail: { rolloutId: created.id } })
    expect((await t.db.audit.list({ planId: created.id }, 10, null)).items.map((e) => e.action)).toEqual(['rollout.wave.started', 'rollout.planned'])
  })

  it('refuses a write from a stale read, and its audit events with it', async () => {
    const created = await t.db.rollouts.create(draft(), { actor: 'alice', action: 'rollout.planned' })
    expect(await t.db.rollouts.save({ ...created, status: 'APPROVED', approvedBy: 'bob' }, [{ actor: 'bob', action: 'rollout.approved' }])).not.toBeNull()
    expect(await t.db.rollouts.save({ ...created, status: 'DISCARDED' }, [{ actor: 'carol', action: 'rollout.discarded' }])).toBeNull()
    expect((await t.db.rollouts.get(created.id))!.status).toBe('APPROVED')
    expect((await t.db.audit.list({ action: 'rollout.discarded' }, 10, null)).items).toEqual([])
  })

  it('gives the runner lease to one replica until it expires; lists active rollouts and pages by status', async () => {
    const a = await t.db.rollouts.create(draft(), { actor: 'alice', action: 'rollout.planned' })
    const b = await t.db.rollouts.create(draft(), { actor: 'alice', action: 'rollout.planned' })
    expect(await t.db.rollouts.takeLease(a.id, 'r1', at('10:00:00'), at('10:00:30'))).toBe(true)
    expect(await t.db.rollouts.takeLease(a.id, 'r2', at('10:00:29'), at('10:00:59'))).toBe(false)
    expect(await t.db.rollouts.takeLease(a.id, 'r1', at('10:00:10'), at('10:00:40'))).toBe(true)
    expect(await t.db.rollouts.takeLease(a.id, 'r2', at('10:00:41'), at('10:01:11'))).toBe(true)
    await t.db.rollouts.releaseLease(a.id, 'r1')
    expect(await t.db.rollouts.takeLease(a.id, 'r1', at('10:00:42'), at('10:01:12'))).toBe(false)
    await t.db.rollouts.releaseLease(a.id, 'r2')
    expect(await t.db.rollouts.takeLease(a.id, 'r1', at('10:00:42'), at('10:01:12'))).toBe(true)

    expect(await t.db.rollouts.active('default')).toEqual([])
    await t.db.rollouts.save({ ...b, status: 'RUNNING' }, [])
    expect((await t.db.rollouts.active('default')).map((r) => r.id)).toEqual([b.id])
    const page = await t.db.rollouts.list({ first: 1 })
    expect(page).toMatchObject({ totalCount: 2, hasNextPage: true })
    const next = await t.db.rollouts.list({ first: 1, after: page.endCursor })
    expect([page.items[0]!.id, next.items[0]!.id].sort()).toEqual([a.id, b.id].sort())
    expect((await t.db.rollouts.list({ first: 10, status: ['RUNNING'] })).items.map((r) => r.id)).toEqual([b.id])
    // Another cluster's rollouts: its runner's, and listed by cluster; their audit events name it.
    const us = await t.db.rollouts.create(draft('train-us'), { actor: 'alice', action: 'rollout.planned' })
    await t.db.rollouts.save({ ...us, status: 'RUNNING' }, [])
    expect((await t.db.rollouts.active('default')).map((r) => r.id)).toEqual([b.id])
    expect((await t.db.rollouts.active('train-us')).map((r) => r.id)).toEqual([us.id])
    expect((await t.db.rollouts.list({ first: 10, clusters: ['train-us'] })).items.map((r) => r.id)).toEqual([us.id])
    expect((await t.db.rollouts.list({ first: 10, clusters: [] })).totalCount).toBe(0)
    expect((await t.db.audit.list({ planId: us.id }, 10, null)).items.map((e) => e.cluster)).toEqual(['train-us'])
    await t.db.rollouts.save({ ...(await t.db.rollouts.get(us.id))!, status: 'ABORTED' }, [])
  })
})
