// PlanProgress with an in-memory progress source and plan store: order, replay, completion.
import { describe, expect, it } from 'vitest'
import type { ChangeProgressEvent } from '../../src/app/apply.service.js'
import { PlanProgress, type ProgressSource } from '../../src/app/plan-progress.js'
import type { Plan } from '../../src/domain/plan.js'
import { planDrain } from '../../src/domain/planner.js'
import { buildNode, buildPlan, buildSnapshot } from '../factories.js'

const VIEWER = { subject: 'v', role: 'viewer' as const }

class FakeSource implements ProgressSource {
  listeners = new Map<string, Set<(e: ChangeProgressEvent) => void>>()
  onProgress(planId: string, listener: (e: ChangeProgressEvent) => void) {
    const set = this.listeners.get(planId) ?? new Set()
    set.add(listener)
    this.listeners.set(planId, set)
    return () => set.delete(listener)
  }
  emit(plan: Plan, index: number, progress: { applied: boolean; error: string | null }) {
    for (const l of this.listeners.get(plan.id) ?? []) l({ planId: plan.id, index, change: { ...plan.changes[index]!, ...progress } })
  }
  count(planId: string) {
    return this.listeners.get(planId)?.size ?? 0
  }
}

const twoNodePlan = (status: Plan['status']) => {
  const snapshot = buildSnapshot([buildNode('gpu-1'), buildNode('gpu-2')])
  return buildPlan(planDrain(snapshot, { nodes: ['gpu-1', 'gpu-2'], reason: 'r', createdBy: 'op' }), { status })
}

async function take(iterator: AsyncIterator<ChangeProgressEvent>, n: number) {
  const got: ChangeProgressEvent[] = []
  for (let i = 0; i < n; i++) {
    const next = await iterator.next()
    if (next.done) break
    got.push(next.value)
  }
  return got
}

describe('PlanProgress', () => {
  it('delivers live changes in the order they are recorded and ends after the last one', async () => {
    const plan = twoNodePlan('APPROVED')
    const source = new FakeSource()
    const feed = await new PlanProgress(source, { get: async () => plan }).watch(VIEWER, plan.id)
    expect(source.count(plan.id)).toBe(1)
    source.emit(plan, 1, { applied: true, error: null })
    expect((await feed.next()).value).toMatchObject({ index: 1, change: { node: 'gpu-2', applied: true } })
    const pending = feed.next()
    source.emit(plan, 0, { applied: false, error: 'boom' })
    expect((await pending).value).toMatchObject({ index: 0, change: { applied: false, error: 'boom' } })
    expect(await feed.next()).toEqual({ value: undefined, done: true })
    expect(source.count(plan.id)).toBe(0)
  })

  it('replays what was recorded before it subscribed, without repeating it when the event also arrives live', async () => {
    const stored = twoNodePlan('APPLYING')
    stored.changes[0] = { ...stored.changes[0]!, applied: true }
    const source = new FakeSource()
    const feed = await new PlanProgress(source, { get: async () => stored }).watch(VIEWER, stored.id)
    source.emit(stored, 0, { applied: true, error: null })
    source.emit(stored, 1, { applied: true, error: null })
    expect((await take(feed, 5)).map((e) => e.index)).toEqual([0, 1])
  })

  it('ends at once after the replay for a plan that is already final', async () => {
    const plan = twoNodePlan('APPLIED')
    const source = new FakeSource()
    const feed = await new PlanProgress(source, { get: async () => plan }).watch(VIEWER, plan.id)
    expect((await take(feed, 5)).map((e) => e.index)).toEqual([0, 1])
    const discarded = await new PlanProgress(source, { get: async () => twoNodePlan('DISCARDED') }).watch(VIEWER, plan.id)
    expect(await discarded.next()).toEqual({ value: undefined, done: true })
    expect(source.count(plan.id)).toBe(0)
  })

  it('stops listening when the subscriber leaves, even while waiting', async () => {
    const plan = twoNodePlan('PENDING')
    const source = new FakeSource()
    const feed = await new PlanProgress(source, { get: async () => plan }).watch(VIEWER, plan.id)
    const waiting = feed.next()
    await feed.return!()
    expect(await waiting).toEqual({ value: undefined, done: true })
    expect(source.count(plan.id)).toBe(0)
  })

  it('an unknown plan is NOT_FOUND and leaves no listener', async () => {
    const source = new FakeSource()
    await expect(new PlanProgress(source, { get: async () => null }).watch(VIEWER, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(source.count('nope')).toBe(0)
  })
})
