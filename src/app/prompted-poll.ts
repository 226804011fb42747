// How a progress feed waits for its record's next write: at once when PlanWrites prompted it since
// the last read began, else at the next prompt or after the poll interval, whichever comes first.
export class PromptedPoll {
  private wake: (() => void) | null = null
  /** A prompt arrived since the last read began. */
  private prompted = false

  constructor(private readonly pollMs: number) {}

  /** A write of the record was signalled. */
  prompt(): void {
    this.prompted = true
    this.wake?.()
  }

  /** Waits as above; a read of the record begins when it resolves. */
  async next(): Promise<void> {
    if (!this.prompted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
    this.reading()
  }

  /** A read begins: prompts from now on ask for one more. */
  reading(): void {
    this.wake = null
    this.prompted = false
  }

  /** Ends a wait under way (the feed is closing). */
  stop(): void {
    this.wake?.()
  }
}
