// The simulated clock. Cluster behaviour (taint-manager evictions, node failure timers,
// token expiry) runs on it; nothing runs until a test or the /_sim endpoint advances it.

interface Timer {
  at: number
  seq: number
  run: () => void
}

export class SimClock {
  private nowMs: number
  private timers: Timer[] = []
  private seq = 0
  private readonly advanceListeners: (() => void)[] = []

  constructor(start: Date) {
    this.nowMs = Math.floor(start.getTime() / 1000) * 1000
  }

  now(): Date {
    return new Date(this.nowMs)
  }

  nowMillis(): number {
    return this.nowMs
  }

  /** RFC 3339 with second precision, as Kubernetes writes timestamps. */
  timestamp(offsetSeconds = 0): string {
    return new Date(this.nowMs + offsetSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
  }

  /** Runs `run` once the clock reaches `at` (epoch ms); immediately on the next advance if already due. */
  at(at: number, run: () => void): void {
    this.timers.push({ at, seq: this.seq++, run })
  }

  after(seconds: number, run: () => void): void {
    this.at(this.nowMs + seconds * 1000, run)
  }

  /** Moves time forward, running every timer that falls due, in time order. */
  advance(seconds: number): void {
    if (!(seconds >= 0)) throw new RangeError(`cannot advance the clock by ${seconds} seconds`)
    const target = this.nowMs + Math.round(seconds * 1000)
    for (;;) {
      const next = this.nextDue(target)
      if (!next) break
      this.timers.splice(this.timers.indexOf(next), 1)
      this.nowMs = Math.max(this.nowMs, next.at)
      next.run()
    }
    this.nowMs = target
    for (const listener of this.advanceListeners) listener()
  }

  /** Called after every advance, once the due timers have run. */
  onAdvance(listener: () => void): void {
    this.advanceListeners.push(listener)
  }

  pendingTimers(): number {
    return this.timers.length
  }

  private nextDue(limit: number): Timer | undefined {
    let best: Timer | undefined
    for (const t of this.timers) {
      if (t.at > limit) continue
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t
    }
    return best
  }
}
