// Writes JSON text in chunks, without first making one string of it: the service's GraphQL
// results and the simulator's Kubernetes lists alike.
// The `nodes` query with every workload answers 13 MB at 5,000 nodes: as one string it is built
// in pieces, joined, copied again on its way into the socket, and each query leaves some 40 MB
// behind for the collector. Here long lists go out an element at a time, each element through
// JSON.stringify (the text is the same as JSON.stringify of the whole), and writing waits
// whenever the socket is behind, so at most a chunk or two is held at once.
import type { Writable } from 'node:stream'

/** Lists with fewer elements than this are written whole. */
const STREAM_FROM = 64
const CHUNK_BYTES = 64 * 1024

/**
 * A list whose elements are turned into JSON text one at a time, as they are written (so a list of
 * 100k objects never is one string), with `render`; JSON.stringify of it parses the texts back.
 */
export class JsonList<T> {
  constructor(
    readonly items: readonly T[],
    readonly render: (item: T) => string,
  ) {}

  toJSON(): unknown[] {
    return this.items.map((item) => JSON.parse(this.render(item)) as unknown)
  }
}

/** A list already serialised element by element: written as it is. */
export class JsonTexts extends JsonList<string> {
  constructor(readonly texts: readonly string[]) {
    super(texts, (text) => text)
  }
}

/** Thrown by writeJson once the text passes maxBytes: what went out is not a whole answer. */
export class ResponseTooLarge extends Error {}

export async function writeJson(out: Writable, value: unknown, maxBytes = Infinity): Promise<void> {
  const sink = new ChunkSink(out, maxBytes)
  await serialize(value, sink)
  await sink.end()
}

class ChunkSink {
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES)
  private used = 0
  private sent = false
  private drained: Promise<void> | null = null
  private total = 0

  constructor(
    private readonly out: Writable,
    private readonly maxBytes: number,
  ) {}

  push(text: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (this.used + text.length * 3 > CHUNK_BYTES) {
      this.flush()
      if (text.length * 3 > CHUNK_BYTES) {
        this.send(Buffer.from(text, 'utf8'))
        return
      }
    }
    this.used += this.buffer.write(text, this.used, 'utf8')
  }

  /** The reader went away: nothing more will be read. */
  closed(): boolean {
    return this.out.destroyed
  }

  /** Resolves at once unless the socket asked to wait. */
  ready(): Promise<void> | null {
    return this.drained
  }

  async end(): Promise<void> {
    if (this.out.destroyed) return // the reader went away: there is no one to end it for
    // All of it in one chunk: ended with it, an HTTP response gets a Content-Length, not chunked encoding.
    const last = this.buffer.subarray(0, this.used)
    if (this.total + last.length > this.maxBytes) throw new ResponseTooLarge(`the response is larger than ${this.maxBytes} bytes`)
    if (!this.sent) return new Promise<void>((resolve) => this.out.end(last, resolve))
    this.flush()
    await this.drained
    await new Promise<void>((resolve) => this.out.end(resolve))
  }

  private flush(): void {
    if (this.used === 0) return
    const full = this.buffer.subarray(0, this.used)
    this.buffer = Buffer.allocUnsafe(CHUNK_BYTES)
    this.used = 0
    this.send(full)
  }

  private send(bytes: Buffer): void {
    this.total += bytes.length
    if (this.total > this.maxBytes) throw new ResponseTooLarge(`the response is larger than ${this.maxBytes} bytes`)
    this.sent = true
    if (this.out.write(bytes) || this.drained) return
    this.drained = new Promise((resolve) => {
      const done = () => {
        this.out.off('drain', done).off('close', done)
        this.drained = null
        resolve()
      }
      // A client that went away never drains: the rest is written into a closed stream, which drops it.
      this.out.on('drain', done).on('close', done)
    })
  }
}

async function serialize(value: unknown, sink: ChunkSink): Promise<void> {
  if (value instanceof JsonList) {
    const list = value as JsonList<unknown>
    await writeList(sink, list.items.length, (i) => list.render(list.items[i]))
  } else if (Array.isArray(value) && value.length >= STREAM_FROM) {
    // JSON.stringify writes null for an array element it cannot represent.
    await writeList(sink, value.length, (i) => JSON.stringify(value[i]) ?? 'null')
  } else if (isPlainObject(value)) {
    let first = true
    sink.push('{')
    for (const key of Object.keys(value)) {
      const field = value[key]
      if (field === undefined || typeof field === 'function' || typeof field === 'symbol') continue
      sink.push(`${first ? '' : ','}${JSON.stringify(key)}:`)
      first = false
      await serialize(field, sink)
    }
    sink.push('}')
  } else {
    sink.push(JSON.stringify(value) ?? 'null')
  }
}

/**
 * `[`, the elements' texts between commas, `]`: waiting after each element while the socket is
 * behind, and rendering no more once the reader has gone.
 */
async function writeList(sink: ChunkSink, length: number, textOf: (i: number) => string): Promise<void> {
  sink.push('[')
  for (let i = 0; i < length; i++) {
    if (i > 0) sink.push(',')
    sink.push(textOf(i))
    const wait = sink.ready()
    if (wait) {
      await wait
      if (sink.closed()) return
    }
  }
  sink.push(']')
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function'
}
