// Watch streams: newline-delimited JSON events from a store, filtered by selectors, resuming
// from a resourceVersion (410 Gone as an ERROR event when it is too old), with bookmarks and
// the initial-events-end bookmark of a watch-list.
import type { ServerResponse } from 'node:http'
import { ApiError } from './status.js'
import type { KubeObject, ResourceStore, StoreEvent } from './store.js'

export interface WatchOptions {
  resourceVersion: string | null
  matches: (obj: KubeObject) => boolean
  sendInitialEvents: boolean
  allowBookmarks: boolean
  timeoutSeconds: number | null
  /** Renders the event object (e.g. as a one-row Table). */
  render: (obj: KubeObject) => unknown
  /** Objects currently matching, in key order, for the initial ADDED events. */
  initial: () => KubeObject[]
  currentRv: () => number
  /** Subscribes to the passing of simulated time; bookmarks are sent on it. */
  onTick: (listener: () => void) => () => void
  kind: string
  apiVersion: string
}

export function serveWatch(res: ServerResponse, store: ResourceStore, options: WatchOptions): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' })
  res.flushHeaders() // a quiet watch must still answer, or clients wait for headers
  // Events of one turn of the event loop (a drain's PATCH evicts dozens of pods at once) go out
  // in one write: one chunk and one TLS record instead of one per event.
  let queued: string[] = []
  const flush = () => {
    if (queued.length === 0) return
    const text = queued.join('')
    queued = []
    if (!res.writableEnded) res.write(text)
  }
  const send = (type: string, object: unknown) => {
    const length = queued.push(`${JSON.stringify({ type, object })}\n`)
    if (length === 1) setImmediate(flush)
    // A watch's initial events (100,000 pods) are written as they come, not held as one text.
    else if (length >= 512) flush()
  }
  const sendEvent = (e: StoreEvent) => {
    const now = options.matches(e.object)
    const before = e.previous ? options.matches(e.previous) : false
    if (e.type === 'ADDED' && now) send('ADDED', options.render(e.object))
    else if (e.type === 'DELETED' && before) send('DELETED', options.render(e.object))
    else if (e.type === 'MODIFIED') {
      if (now && before) send('MODIFIED', options.render(e.object))
      else if (now) send('ADDED', options.render(e.object))
      else if (before) send('DELETED', options.render({ ...e.previous!, metadata: { ...e.previous!.metadata, resourceVersion: String(e.rv) } }))
    }
  }
  const bookmark = (initialEventsEnd: boolean) =>
    send('BOOKMARK', {
      kind: options.kind,
      apiVersion: options.apiVersion,
      metadata: {
        resourceVersion: String(options.currentRv()),
        ...(initialEventsEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}),
      },
    })

  const rv = options.resourceVersion
  try {
    if (options.sendInitialEvents || rv === null || rv === '' || rv === '0') {
      for (const obj of options.initial()) send('ADDED', options.render(obj))
      if (options.sendInitialEvents && options.allowBookmarks) bookmark(true)
    } else {
      const from = Number(rv)
      if (!Number.isInteger(from) || from < 0) throw new ApiError(400, 'BadRequest', `invalid resource version: ${rv}`)
      for (const e of store.eventsSince(from)) sendEvent(e)
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    send('ERROR', error.body())
    flush()
    res.end()
    return
  }

  const unsubscribe = store.listen(sendEvent)
  const unsubscribeTicks = options.allowBookmarks ? options.onTick(() => bookmark(false)) : () => {}
  let timer: NodeJS.Timeout | null = null
  const stop = () => {
    unsubscribe()
    unsubscribeTicks()
    if (timer) clearTimeout(timer)
  }
  res.on('close', stop)
  if (options.timeoutSeconds !== null && options.timeoutSeconds > 0) {
    // The API server ends a watch after timeoutSeconds of real time; clients then re-watch.
    timer = setTimeout(() => {
      stop()
      flush()
      res.end()
    }, options.timeoutSeconds * 1000)
    timer.unref()
  }
}
