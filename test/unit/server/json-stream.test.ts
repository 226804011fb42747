import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { JsonList, JsonTexts, writeJson } from '../../../src/server/json-stream.js'

/** A sink that takes `delayMs` to accept each chunk (so the writer must wait for 'drain'), recording how it was called. */
function sink(delayMs = 0) {
  const chunks: Buffer[] = []
  let ends = 0
  let mostQueued = 0
  const out: Writable = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk)
      mostQueued = Math.max(mostQueued, out.writableLength)
      setTimeout(done, delayMs)
    },
    final(done) {
      ends++
      done()
    },
  })
  return { out, text: () => Buffer.concat(chunks).toString('utf8'), chunks, ends: () => ends, mostQueued: () => mostQueued }
}

const node = (i: number) => ({
  name: `gpu-${i}`,
  roles: ['GPU_WORKER'],
  ready: i % 3 !== 0,
  gpus: 8,
  taints: i % 2 ? [{ key: 'runai', effect: 'NO_EXECUTE' }] : [],
  workloads: Array.from({ length: 20 }, (_, w) => ({ namespace: 'runai-vision', name: `train-${i}-${w}-é日本`, gpus: 0.5, pods: w })),
})

describe('writeJson', () => {
  it('writes exactly the text JSON.stringify makes, for a long list cut into many chunks', async () => {
    const value = { data: { nodes: Array.from({ length: 3000 }, (_, i) => node(i)) } }
    const s = sink()
    await writeJson(s.out, value)
    expect(s.chunks.length).toBeGreaterThan(10)
    expect(s.text()).toBe(JSON.stringify(value))
    expect(s.ends()).toBe(1)
  })

  it('skips what JSON.stringify skips and writes null where it does, Dates and other toJSON values as JSON.stringify does', async () => {
    const list = Array.from({ length: 70 }, (_, i) => (i === 3 ? undefined : i === 4 ? () => 1 : { at: new Date(Date.UTC(2026, 10, i % 28)), n: i }))
    const value = { data: { a: undefined, b: null, c: () => 1, d: Object.assign(Object.create(null), { x: 'y' }), list, small: [undefined, 1], when: new Date(0) }, errors: [{ message: 'm\n"q"' }] }
    const s = sink()
    await writeJson(s.out, value)
    expect(s.text()).toBe(JSON.stringify(value))
  })

  it('waits for a slow reader instead of queueing the whole answer', async () => {
    const value = { data: { nodes: Array.from({ length: 2000 }, (_, i) => node(i)) } }
    const s = sink(1)
    await writeJson(s.out, value)
    expect(s.text()).toBe(JSON.stringify(value))
    // The whole answer is some 4 MB; never more than two 64 KB chunks wait in the stream.
    expect(s.mostQueued()).toBeGreaterThan(0)
    expect(s.mostQueued()).toBeLessThanOrEqual(2 * 64 * 1024)
  })

  it('ends a small answer with its only chunk (an HTTP response then gets a Content-Length)', async () => {
    const s = sink()
    const writes: unknown[] = []
    const write = s.out.write.bind(s.out)
    s.out.write = ((chunk: unknown, ...rest: never[]) => (writes.push(chunk), write(chunk as Buffer, ...rest))) as typeof s.out.write
    await writeJson(s.out, { data: { me: { subject: 'alice' } } })
    expect(writes).toEqual([])
    expect(s.text()).toBe('{"data":{"me":{"subject":"alice"}}}')
  })

  it('renders a JsonList element by element as it writes, the same text JSON.stringify makes of it', async () => {
    const items = Array.from({ length: 3000 }, (_, i) => node(i))
    let rendered = 0
    const list = new JsonList(items, (n) => (rendered++, JSON.stringify(n)))
    const s = sink()
    await writeJson(s.out, { kind: 'NodeList', items: list, texts: new JsonTexts(['1', '{"a":2}']) })
    expect(rendered).toBe(3000)
    expect(s.text()).toBe(JSON.stringify({ kind: 'NodeList', items, texts: [1, { a: 2 }] }))
  })

  it('renders no more of a list once the reader has gone', async () => {
    const items = Array.from({ length: 3000 }, (_, i) => node(i))
    let rendered = 0
    const s = sink(1)
    s.out.once('drain', () => s.out.destroy())
    await writeJson(s.out, { items: new JsonList(items, (n) => (rendered++, JSON.stringify(n))) })
    expect(rendered).toBeGreaterThan(0)
    expect(rendered).toBeLessThan(items.length)
  })
})
