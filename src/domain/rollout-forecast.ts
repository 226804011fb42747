// How long a rollout will take and when it ends: per node, the median drain and maintenance
// durations measured on nodes of past rollouts (defaults without history); waves run one after
// another, a wave's nodes together; a wave starts only inside the rollout's window and after notBefore.
import { nextOpening } from './maintenance-window.js'
import type { Rollout } from './rollout.js'

export const DEFAULT_DRAIN_SECONDS = 120
export const DEFAULT_MAINTENANCE_SECONDS = 1800

/** One node's measured durations, from a past rollout's audit trail. */
export interface NodeDurations {
  drainSeconds: number
  maintenanceSeconds: number
}

export interface RolloutForecast {
  drainSeconds: number
  maintenanceSeconds: number
  samples: number
  remainingSeconds: number
  endsAt: Date | null
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2)
}

export function forecast(rollout: Pick<Rollout, 'waves' | 'window' | 'notBefore' | 'status'>, history: readonly NodeDurations[], now: Date): RolloutForecast {
  const samples = history.length
  const drainSeconds = samples > 0 ? median(history.map((h) => h.drainSeconds)) : DEFAULT_DRAIN_SECONDS
  const maintenanceSeconds = samples > 0 ? median(history.map((h) => h.maintenanceSeconds)) : DEFAULT_MAINTENANCE_SECONDS
  const perWave = drainSeconds + maintenanceSeconds
  const final = ['COMPLETED', 'FAILED', 'ABORTED', 'DISCARDED'].includes(rollout.status)
  const left = final ? [] : rollout.waves.filter((w) => w.status === 'WAITING' || w.status === 'RUNNING')
  let remainingSeconds = 0
  let t = Math.max(now.getTime(), rollout.notBefore?.getTime() ?? 0)
  let endsAt: Date | null = final ? null : new Date(t)
  for (const wave of left) {
    let seconds = perWave
    if (wave.status === 'RUNNING' && wave.startedAt) {
      // A running wave has used some of its time already.
      seconds = Math.max(0, perWave - Math.floor((now.getTime() - wave.startedAt.getTime()) / 1000))
    } else if (rollout.window) {
      const opens = nextOpening(rollout.window, new Date(t))
      if (!opens) {
        endsAt = null
        remainingSeconds += seconds
        continue
      }
      t = opens.getTime()
    }
    remainingSeconds += seconds
    t += seconds * 1000
    if (endsAt !== null) endsAt = new Date(t)
  }
  return { drainSeconds, maintenanceSeconds, samples, remainingSeconds, endsAt }
}
