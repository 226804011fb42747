import { describe, expect, it } from 'vitest'
import { ChangeRecorder } from '../../../src/app/change-recorder.js'
import type { ChangeRecord } from '../../../src/app/ports.js'

const entry = (index: number): ChangeRecord => ({ index, progress: { applied: true, error: null }, audit: null })

/** A database whose writes wait until the test lets them go, and that can refuse them. */
class Writes {
  readonly batches: number[][] = []
  private release: (() => void)[] = []
  refuse: Error | null = null

  write = (entries: ChangeRecord[]): Promise<void> => {
    this.batches.push(entries.map((e) => e.index))
    return new Promise((resolve, reject) => this.release.push(() => (this.refuse ? reject(this.refuse) : resolve())))
  }

  /** Lets every write under way finish, and those they trigger. */
  async settle(): Promise<void> {
    for (let turn = 0; turn < 10; turn++) {
      await new Promise((resolve) => setImmediate(resolve))
      for (const go of this.release.splice(0)) go()
    }
  }
}

describe('ChangeRecorder', () => {
  it('should write records that arrive together in one write, and those arriving meanwhile in the next', async () => {
    const writes = new Writes()
    const sut = new ChangeRecorder(writes.write)
    const first = [sut.add(entry(0)), sut.add(entry(1))]
    await new Promise((resolve) => setImmediate(resolve))
    const second = [sut.add(entry(2)), sut.add(entry(3))]
    await writes.settle()
    await Promise.all([...first, ...second])
    expect(writes.batches).toEqual([
      [0, 1],
      [2, 3],
    ])
  })

  it('should write the records still waiting with the end, after the write under way', async () => {
    const writes = new Writes()
    const sut = new ChangeRecorder(writes.write)
    const underWay = sut.add(entry(0))
    await new Promise((resolve) => setImmediate(resolve))
    const waiting = sut.add(entry(1))
    const ends: number[][] = []
    const finished = sut.finish(async (entries) => {
      ends.push(entries.map((e) => e.index))
      return 'ended'
    })
    await writes.settle()
    expect(await finished).toBe('ended')
    await Promise.all([underWay, waiting])
    expect(writes.batches).toEqual([[0]])
    expect(ends).toEqual([[1]])
  })

  it('should write the waiting records as usual and throw the failure when a write failed', async () => {
    const writes = new Writes()
    const sut = new ChangeRecorder(writes.write)
    writes.refuse = new Error('disk full')
    const refused = sut.add(entry(0))
    refused.catch(() => {})
    await new Promise((resolve) => setImmediate(resolve))
    const waiting = sut.add(entry(1))
    waiting.catch(() => {})
    let ended = false
    const finished = sut.finish(async () => {
      ended = true
      return 'ended'
    })
    const outcomes = [expect(finished).rejects.toThrow('disk full'), expect(refused).rejects.toThrow('disk full'), expect(waiting).rejects.toThrow('disk full')]
    await writes.settle()
    await Promise.all(outcomes)
    expect(sut.failed).toBe(true)
    // The waiting record was written on its own, not with the end, which never ran.
    expect(writes.batches).toEqual([[0], [1]])
    expect(ended).toBe(false)
  })
})
