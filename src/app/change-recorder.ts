// A plan's change records on their way to the database. Each change is recorded before its
// node's next change is tried; records that arrive while one write is under way go together
// in the next, so a wide apply writes a few transactions rather than one per change.
import type { ChangeRecord } from './ports.js'

export class ChangeRecorder {
  private queued: { entry: ChangeRecord; done: (err?: unknown) => void }[] = []
  private writing = false

  constructor(private readonly write: (entries: ChangeRecord[]) => Promise<void>) {}

  add(entry: ChangeRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ entry, done: (err) => (err ? reject(err) : resolve()) })
      if (!this.writing) {
        this.writing = true
        // Answers that arrived together are handled in the same turn of the event loop: their
        // records go in one write rather than one write each.
        setImmediate(() => void this.flush())
      }
    })
  }

  private async flush(): Promise<void> {
    while (this.queued.length > 0) {
      const batch = this.queued
      this.queued = []
      try {
        await this.write(batch.map((b) => b.entry))
        for (const b of batch) b.done()
      } catch (err) {
        for (const b of batch) b.done(err)
      }
    }
    this.writing = false
  }
}
