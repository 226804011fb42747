import { describe, expect, it } from 'vitest'
import { checkWindow, freezeAt, nextOpening, openWindowAt } from '../../../src/domain/maintenance-window.js'
import { forecast } from '../../../src/domain/rollout-forecast.js'
import type { RolloutWave } from '../../../src/domain/rollout.js'
import { refusal } from '../../factories.js'

// Weekdays 22:00 Berlin time for 2 hours (21:00 UTC in winter, 20:00 UTC in summer).
const weeknights = { cron: '0 22 * * 1-5', durationMinutes: 120, timeZone: 'Europe/Berlin' }
const at = (iso: string) => new Date(iso)

describe('openWindowAt and nextOpening', () => {
  it.each([
    ['Monday 20:59 UTC, before it opens', '2026-03-02T20:59:00Z', null, '2026-03-02T21:00:00.000Z'],
    ['the moment it opens', '2026-03-02T21:00:00Z', '2026-03-02T23:00:00.000Z', '2026-03-02T21:00:00.000Z'],
    ['inside, past midnight', '2026-03-02T22:59:59Z', '2026-03-02T23:00:00.000Z', '2026-03-02T22:59:59.000Z'],
    ['the moment it closes', '2026-03-02T23:00:00Z', null, '2026-03-03T21:00:00.000Z'],
    ['Friday night, next on Monday', '2026-03-06T23:30:00Z', null, '2026-03-09T21:00:00.000Z'],
    ['summer time: 22:00 Berlin is 20:00 UTC', '2026-07-06T20:30:00Z', '2026-07-06T22:00:00.000Z', '2026-07-06T20:30:00.000Z'],
  ])('%s', (_, now, closes, next) => {
    expect(openWindowAt(weeknights, at(now))?.closes.toISOString() ?? null).toBe(closes)
    expect(nextOpening(weeknights, at(now))?.toISOString()).toBe(next)
  })
})

describe('checkWindow', () => {
  it.each([
    [{ ...weeknights, cron: '0 22 * *' }, 'window.cron'],
    [{ ...weeknights, cron: '0 0 22 * * 1-5' }, 'window.cron'],
    [{ ...weeknights, cron: '61 22 * * *' }, 'window.cron'],
    [{ ...weeknights, timeZone: 'Europe/Atlantis' }, 'window.timeZone'],
    [{ ...weeknights, durationMinutes: 0 }, 'window.durationMinutes'],
    [{ ...weeknights, durationMinutes: 20_000 }, 'window.durationMinutes'],
  ])('refuses %j naming the field', (window, field) => {
    const err = refusal(() => checkWindow(window))
    expect(err.code).toBe('BAD_USER_INPUT')
    expect(err.message).toContain(field)
  })
  it('accepts a good one', () => expect(() => checkWindow(weeknights)).not.toThrow())
})

describe('freezeAt', () => {
  const freezes = [{ from: at('2026-12-20T00:00:00Z'), until: at('2027-01-04T00:00:00Z'), reason: 'year end' }]
  it.each([
    ['2026-12-19T23:59:59Z', null],
    ['2026-12-20T00:00:00Z', 'year end'],
    ['2027-01-03T23:59:59Z', 'year end'],
    ['2027-01-04T00:00:00Z', null],
  ])('at %s', (now, reason) => expect(freezeAt(freezes, at(now))?.reason ?? null).toBe(reason))
})

describe('forecast', () => {
  const wave = (status: RolloutWave['status'], startedAt: Date | null = null) => ({ status, startedAt }) as RolloutWave
  const now = at('2026-03-02T12:00:00Z')
  it.each([
    ['no history: defaults, back to back', [wave('WAITING'), wave('WAITING')], [], null, { drainSeconds: 120, maintenanceSeconds: 1800, samples: 0, remainingSeconds: 3840, endsAt: '2026-03-02T13:04:00.000Z' }],
    ['the median of the measured nodes', [wave('WAITING')], [{ drainSeconds: 60, maintenanceSeconds: 600 }, { drainSeconds: 100, maintenanceSeconds: 900 }, { drainSeconds: 80, maintenanceSeconds: 3000 }], null, { drainSeconds: 80, maintenanceSeconds: 900, samples: 3, remainingSeconds: 980 }],
    ['a running wave has used part of its time; done waves count nothing', [wave('DONE'), wave('RUNNING', at('2026-03-02T11:50:00Z'))], [], null, { remainingSeconds: 1320, endsAt: '2026-03-02T12:22:00.000Z' }],
    ['each wave waits for the window', [wave('WAITING'), wave('WAITING')], [], weeknights, { remainingSeconds: 3840, endsAt: '2026-03-02T22:04:00.000Z' }],
  ])('%s', (_, waves, history, window, expected) => {
    const result = forecast({ waves, window, notBefore: null, status: 'RUNNING' }, history, now)
    expect({ ...result, endsAt: result.endsAt?.toISOString() ?? null }).toMatchObject(expected)
  })
})
