// A plan's change records on their way to the database. Each change is recorded before its
// node's next change is tried; records that arrive while one write is under way go together
// in the next, so a wide apply writes a few transactions rather than one per change. The records
// still waiting when the workers are done go in the plan's last transaction (finish).
import type { ChangeRecord } from './ports.js'

interface Queued {
  entry: ChangeRecord
  done: (err?: unknown) => void
}

export class ChangeRecorder {
  private queued: Queued[] = []
  private flushing: Promise<void> | null = null
  /** The first write that failed: the apply stops, and ends with this error. */
  private failure: { err: unknown } | null = null

  constructor(private readonly write: (entries: ChangeRecord[]) => Promise<void>) {}

  /** Whether a write has failed (the workers then start no further node). */
  get failed(): boolean {
    return this.failure !== null
  }

  add(entry: ChangeRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ entry, done: (err) => (err ? reject(err) : resolve()) })
      // Answers that arrived together are handled in the same turn of the event loop: their
      // records go in one write rather than one write each.
      this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush())
    })
  }

  /**
   * After the last add: waits for the writes under way, then writes the records still waiting
   * together with the end of the plan (`last`). When a write failed, they are written as usual
   * and that failure is thrown instead.
   */
  async finish<T>(last: (entries: ChangeRecord[]) => Promise<T>): Promise<T> {
    const batch = this.queued
    this.queued = []
    await this.flushing
    if (this.failure) {
      if (batch.length > 0) await this.writeBatch(batch)
      throw this.failure.err
    }
    try {
      const result = await last(batch.map((b) => b.entry))
      for (const b of batch) b.done()
      return result
    } catch (err) {
      for (const b of batch) b.done(err)
      throw err
    }
  }

  private async flush(): Promise<void> {
    while (this.queued.length > 0) {
      const batch = this.queued
      this.queued = []
      await this.writeBatch(batch)
    }
    this.flushing = null
  }

  private async writeBatch(batch: Queued[]): Promise<void> {
    try {
      await this.write(batch.map((b) => b.entry))
      for (const b of batch) b.done()
    } catch (err) {
      this.failure ??= { err }
      for (const b of batch) b.done(err)
    }
  }
}
