// The repositories of one cluster: what they store and read is that cluster's, the audit chain
// stays one line, and work done once is done once per cluster.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { backends, drainDraft, openTempDatabase, type TempDatabase } from './temp-database.js'

let t: TempDatabase

describe.each(backends)('repositories per cluster on %s', (backend) => {
  beforeEach(async () => {
    t = await openTempDatabase(backend)
  })
  afterEach(() => t.cleanup())

  it('keeps each cluster\'s plans, node locks and audit events apart, in one verified chain', async () => {
    const eu = t.db.forCluster('train-eu')
    const us = t.db.forCluster('train-us')
    const a = await eu.plans.create(drainDraft(['gpu-1']), { actor: 'alice', action: 'plan.created' })
    const b = await us.plans.create(drainDraft(['gpu-1']), { actor: 'alice', action: 'plan.created' })
    expect([a.cluster, b.cluster]).toEqual(['train-eu', 'train-us'])
    expect((await eu.plans.get(b.id))).toBeNull()
    expect((await t.db.plans.get(b.id))?.cluster).toBe('train-us')
    expect((await eu.plans.pendingFor('gpu-1', 'DRAIN')).map((p) => p.id)).toEqual([a.id])

    // gpu-1 of each cluster is its own node: both applies take their lock.
    expect('started' in (await eu.plans.startApply(a.id, ['PENDING'], { applyOwner: 'r1' }, { actor: 'alice', action: 'plan.applying' }))).toBe(true)
    expect('started' in (await us.plans.startApply(b.id, ['PENDING'], { applyOwner: 'r1' }, { actor: 'alice', action: 'plan.applying' }))).toBe(true)
    expect(await eu.plans.nodeLocks()).toEqual([{ node: 'gpu-1', planId: a.id }])
    expect((await t.db.plans.nodeLocks()).length).toBe(2)

    const events = await t.db.audit.list({ cluster: 'train-us' }, 10, null)
    expect(events.items.map((e) => [e.action, e.cluster])).toEqual([['plan.applying', 'train-us'], ['plan.created', 'train-us']])
    await t.db.audit.append({ actor: 'carol', action: 'join.token.created' })
    const visible = await t.db.audit.list({ visibleClusters: ['train-eu'] }, 10, null)
    expect(visible.items.map((e) => e.cluster)).toEqual([null, 'train-eu', 'train-eu'])
    expect((await t.db.audit.verify()).problem).toBeNull()
  })

  it('does work keyed once per cluster: the same key in two clusters is two pieces of work', async () => {
    const event = { actor: 'system', action: 'node.notready', node: 'gpu-1' }
    expect(await t.db.forCluster('train-eu').audit.appendOnce('node.notready:gpu-1:uid-1', event)).not.toBeNull()
    expect(await t.db.forCluster('train-us').audit.appendOnce('node.notready:gpu-1:uid-1', event)).not.toBeNull()
    expect(await t.db.forCluster('train-eu').audit.appendOnce('node.notready:gpu-1:uid-1', event)).toBeNull()
    // The default cluster keeps the keys it had before clusters existed.
    expect(await t.db.audit.appendOnce('node.notready:gpu-1:uid-1', event)).not.toBeNull()
    expect(await t.db.forCluster('default').audit.appendOnce('node.notready:gpu-1:uid-1', event)).toBeNull()
  })
})
