import type { Clock } from './ports.js'

/** The one real clock; tests inject their own (the simulator's, or a fixed date). */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}
