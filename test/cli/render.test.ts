import { describe, expect, it } from 'vitest'
import { detailText, nextStep, planText, type PlanView } from '../../src/cli/render.js'

describe('history detail', () => {
  it.each([
    { name: 'names joined, words as they are', detail: { kind: 'DRAIN', nodes: ['gpu-1', 'gpu-2'] }, text: 'kind=DRAIN nodes=gpu-1,gpu-2' },
    { name: 'a sentence quoted and never cut', detail: { reason: `INC-1 ${'x'.repeat(200)}` }, text: `reason="INC-1 ${'x'.repeat(200)}"` },
    { name: 'empty values visible', detail: { failed: [], after: '' }, text: 'failed=[] after=""' },
    { name: 'objects and nulls as JSON', detail: { before: { key: 'runai' }, approvedBy: null, applied: 2 }, text: 'before={"key":"runai"} approvedBy=null applied=2' },
    { name: 'escapes kept as they are, quotes escaped', detail: { note: 'done\\u{1b} "x"' }, text: 'note="done\\u{1b} \\"x\\""' },
    { name: 'no detail', detail: null, text: '' },
  ])('$name', ({ detail, text }) => {
    expect(detailText(detail)).toBe(text)
  })
})

describe('the footer after a plan', () => {
  const plan = (over: Partial<PlanView>): PlanView => ({
    id: 'plan-1', kind: 'DRAIN', status: 'PENDING', createdBy: 'oscar', approvedBy: null, appliedBy: null, stale: false, diff: '', changes: [{ action: 'CREATE' }], ...over,
  })
  it.each([
    { name: 'needs approval', over: { needsApproval: true }, has: ['It needs approval before it can be applied: someone other than oscar', 'nodeplan approve plan-1', 'nodeplan apply plan-1'] },
    { name: 'needs none', over: { needsApproval: false }, has: ['It needs no approval.', 'nodeplan apply plan-1'] },
    { name: 'a server that does not say', over: {}, has: ['plans that policy says need approval are approved first'] },
  ])('$name', ({ over, has }) => {
    const text = nextStep(plan(over))
    for (const part of has) expect(text).toContain(part)
    if (over.needsApproval === false) expect(text).not.toContain('nodeplan approve')
  })
  it('says nothing for a plan that changes nothing', () => {
    expect(nextStep(plan({ changes: [{ action: 'NO_OP' }] }))).toBe('')
    expect(nextStep(plan({ status: 'NO_CHANGES', changes: [{ action: 'NO_OP' }] }))).toBe('\nNothing to apply: the plan is kept as plan-1 (NO_CHANGES) for the record.\n')
  })
})

describe('a plan as nodeplan show prints it', () => {
  const plan: PlanView = { id: 'plan-9', kind: 'DECOMMISSION', status: 'PENDING', createdBy: 'oscar', approvedBy: null, appliedBy: null, stale: true, needsApproval: true, diff: 'd\n', changes: [] }
  it.each([
    { name: 'pending, needing approval, stale', over: {}, has: ['Awaiting approval: someone other than oscar runs nodeplan approve plan-9.', 'nodeplan discard plan-9'] },
    { name: 'approved', over: { status: 'APPROVED', approvedBy: 'alice', stale: false }, lacks: ['Awaiting approval', 'Stale'] },
    { name: 'needing none', over: { needsApproval: false, stale: false }, lacks: ['Awaiting approval'] },
  ])('$name', ({ over, has = [], lacks = [] }: { over: Partial<PlanView>; has?: string[]; lacks?: string[] }) => {
    const text = planText({ ...plan, ...over }, false)
    for (const part of has) expect(text).toContain(part)
    for (const part of lacks) expect(text).not.toContain(part)
  })
})
