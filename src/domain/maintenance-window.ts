// Maintenance windows: a recurring window (a five-field cron expression for when it opens, how long
// it stays open, the IANA time zone the expression is read in) and a freeze (no apply at all).
// croner reads the expressions and the time zones; nothing here parses them.
import { Cron } from 'croner'
import { NodeplanError } from './errors.js'
import type { RecurringWindow } from './rollout.js'

const MAX_DURATION_MINUTES = 7 * 24 * 60

function cronOf(window: RecurringWindow): Cron {
  return new Cron(window.cron, { timezone: window.timeZone, paused: true, mode: '5-part' })
}

/** Refuses a window croner cannot read, or one that never opens; BAD_USER_INPUT naming the field. */
export function checkWindow(window: RecurringWindow, field = 'window'): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: window.timeZone })
  } catch {
    throw new NodeplanError('BAD_USER_INPUT', `${field}.timeZone: "${window.timeZone}" is not an IANA time zone (e.g. "Europe/Berlin", "UTC")`, { field: `${field}.timeZone` })
  }
  let next: Date | null
  try {
    next = cronOf(window).nextRun(new Date(0))
  } catch (err) {
    throw new NodeplanError('BAD_USER_INPUT', `${field}.cron: "${window.cron}" is not a five-field cron expression (minute hour day-of-month month day-of-week, e.g. "0 22 * * 1-5"): ${(err as Error).message}`, { field: `${field}.cron` })
  }
  if (!next) throw new NodeplanError('BAD_USER_INPUT', `${field}.cron: "${window.cron}" never opens`, { field: `${field}.cron` })
  if (!Number.isInteger(window.durationMinutes) || window.durationMinutes < 1 || window.durationMinutes > MAX_DURATION_MINUTES) {
    throw new NodeplanError('BAD_USER_INPUT', `${field}.durationMinutes must be a whole number from 1 to ${MAX_DURATION_MINUTES}, got ${window.durationMinutes}`, { field: `${field}.durationMinutes` })
  }
}

/** The window open at `at`: when it opened and when it closes; null when closed. */
export function openWindowAt(window: RecurringWindow, at: Date): { opened: Date; closes: Date } | null {
  const ms = window.durationMinutes * 60_000
  // The first opening after (at - duration), if it is not after `at`, is a window still open at `at`.
  const opened = cronOf(window).nextRun(new Date(at.getTime() - ms))
  if (!opened || opened.getTime() > at.getTime()) return null
  return { opened, closes: new Date(opened.getTime() + ms) }
}

/** When the window next opens at or after `at` (`at` itself when it is open then). */
export function nextOpening(window: RecurringWindow, at: Date): Date | null {
  if (openWindowAt(window, at)) return at
  return cronOf(window).nextRun(at)
}

/** A period in which no plan is applied (the policy's freezes). */
export interface Freeze {
  from: Date
  until: Date
  reason: string
}

/** The freeze in force at `at`, if any. */
export function freezeAt(freezes: readonly Freeze[], at: Date): Freeze | null {
  return freezes.find((f) => f.from.getTime() <= at.getTime() && at.getTime() < f.until.getTime()) ?? null
}
