import { describe, expect, it } from 'vitest'
import { NodeplanError } from '../../../src/domain/errors.js'
import { canMove, checkMove, isFinal, notApplicable, OPEN_STATUSES, PLAN_TRANSITIONS, requireMove, statusesMovingTo } from '../../../src/domain/plan-status.js'
import type { PlanStatus } from '../../../src/domain/plan.js'

const ALL: PlanStatus[] = ['PENDING', 'APPROVED', 'APPLYING', 'APPLIED', 'FAILED', 'DISCARDED', 'NO_CHANGES']

const ALLOWED: [PlanStatus, PlanStatus, string][] = [
  ['PENDING', 'APPROVED', 'approved by a second person'],
  ['PENDING', 'APPLYING', 'applied, its kind needing no approval'],
  ['PENDING', 'DISCARDED', 'discarded or expired'],
  ['APPROVED', 'APPLYING', 'applied after approval'],
  ['APPROVED', 'DISCARDED', 'discarded or expired after approval'],
  ['APPLYING', 'APPLIED', 'every change written'],
  ['APPLYING', 'FAILED', 'a change failed'],
]
const allowed = new Set(ALLOWED.map(([from, to]) => `${from}→${to}`))
const FORBIDDEN = ALL.flatMap((from) => ALL.map((to): [PlanStatus, PlanStatus] => [from, to])).filter(([from, to]) => !allowed.has(`${from}→${to}`))

describe('plan status transitions', () => {
  it.each(ALLOWED)('%s → %s (%s) is allowed', (from, to) => {
    expect(canMove(from, to)).toBe(true)
    expect(() => checkMove([from], to)).not.toThrow()
  })

  it.each(FORBIDDEN)('%s → %s is refused', (from, to) => {
    expect(canMove(from, to)).toBe(false)
    expect(() => checkMove([from], to)).toThrow(`a plan does not move from ${from} to ${to}`)
    expect(() => requireMove({ id: 'plan-1', status: from }, to, 'moved')).toThrow(NodeplanError)
  })

  it('the table holds exactly the allowed moves', () => {
    expect(Object.entries(PLAN_TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}→${to}`)).sort()).toEqual([...allowed].sort())
  })

  it.each<[PlanStatus, PlanStatus[]]>([
    ['APPROVED', ['PENDING']],
    ['APPLYING', ['PENDING', 'APPROVED']],
    ['DISCARDED', ['PENDING', 'APPROVED']],
    ['APPLIED', ['APPLYING']],
    ['FAILED', ['APPLYING']],
    ['PENDING', []],
  ])('a plan moves to %s from %j', (to, from) => {
    expect(statusesMovingTo(to)).toEqual(from)
  })

  it('final statuses are those with no move out; the rest are open', () => {
    expect(ALL.filter(isFinal)).toEqual(['APPLIED', 'FAILED', 'DISCARDED', 'NO_CHANGES'])
    expect(OPEN_STATUSES).toEqual(['PENDING', 'APPROVED', 'APPLYING'])
  })

  it('a refused move is PLAN_NOT_APPLICABLE naming the status and the statuses it is allowed from', () => {
    const err = notApplicable({ id: 'plan-1', status: 'APPLIED' }, 'DISCARDED', 'discarded')
    expect(err).toMatchObject({
      code: 'PLAN_NOT_APPLICABLE',
      message: 'plan plan-1 is APPLIED and cannot be discarded: only a plan that is PENDING or APPROVED can',
      details: { planId: 'plan-1', status: 'APPLIED' },
    })
  })
})
