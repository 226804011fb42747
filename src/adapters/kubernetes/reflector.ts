// List, then watch from the list's resourceVersion, for one resource, the way client-go's
// reflector does: re-watch from the last seen resourceVersion when a stream ends, relist
// when the server says the version is gone (410), back off (injected clock) on errors.
import type { Clock } from '../../app/ports.js'
import { httpStatus } from './api-error.js'
import { backoffDelay, type BackoffPolicy } from './backoff.js'
import type { KubernetesApi, WatchEventType } from './kubernetes-api.js'
import { isOlderVersion } from './resource-version.js'

export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string }
}

interface ListPage<T> {
  items?: T[]
  metadata?: { resourceVersion?: string; continue?: string }
}

export interface ReflectorHandlers<M> {
  /** A complete list: what is not in it no longer exists. */
  replace(items: M[]): void
  event(type: 'ADDED' | 'MODIFIED' | 'DELETED', item: M): void
  /** DELETED events, when the object's name and namespace are all that is needed (instead of `event`). */
  deleted?(obj: KubeObject): void
}

/**
 * T is the object as the server sends it, M what the handlers keep. Each list page is mapped
 * as it arrives, so a list of 100,000 pods never holds more than one page of raw objects.
 */
export interface ReflectorOptions<T, M> {
  /** For messages: "nodes", "pods", "poddisruptionbudgets". */
  resource: string
  /** Collection path, e.g. /api/v1/nodes. */
  path: string
  api: KubernetesApi
  map(obj: T): M
  handlers: ReflectorHandlers<M>
  clock: Clock
  backoff: BackoffPolicy
  random: () => number
  pageSize: number
  watchTimeoutSeconds: number
  /** A 404 on the list means the server does not serve this resource: treat it as empty. */
  optional?: boolean
  onError(err: unknown, phase: 'list' | 'watch'): void
}

interface WatchOutcome {
  err: unknown
  events: number
  gone: boolean
}

export class Reflector<T extends KubeObject, M = T> {
  private rv = ''
  private stopped = true
  private synced = false
  private stream: { abort(): void } | null = null
  private loop: Promise<void> | null = null
  private wakeStopped: () => void = () => {}
  private stoppedSignal: Promise<void> = Promise.resolve()
  private syncWaiters: (() => void)[] = []

  constructor(private readonly o: ReflectorOptions<T, M>) {}

  /** Starts the loop in the background; `whenSynced` resolves after the first complete list. */
  run(): void {
    if (!this.stopped) return
    this.stopped = false
    this.stoppedSignal = new Promise((resolve) => (this.wakeStopped = resolve))
    this.loop = this.runLoop()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wakeStopped()
    this.stream?.abort()
    this.stream = null
    await this.loop
  }

  hasSynced(): boolean {
    return this.synced
  }

  whenSynced(): Promise<void> {
    if (this.synced) return Promise.resolve()
    return new Promise((resolve) => this.syncWaiters.push(resolve))
  }

  /** The resourceVersion the next watch starts from ('' when a relist is due). */
  lastResourceVersion(): string {
    return this.rv
  }

  private async runLoop(): Promise<void> {
    let failures = 0
    while (!this.stopped) {
      if (!this.rv) {
        try {
          const done = await this.list()
          if (done === 'not-served') return
          failures = 0
        } catch (err) {
          if (this.stopped) return
          this.o.onError(err, 'list')
          await this.pause(++failures)
          continue
        }
      }
      if (this.stopped) return
      // stop() must not wait for a watch whose response headers have not arrived yet.
      const outcome = await Promise.race([this.watchOnce(), this.stoppedSignal.then(() => null)])
      if (this.stopped || !outcome) return
      if (outcome.gone || httpStatus(outcome.err) === 410) {
        this.rv = ''
        continue
      }
      if (outcome.err) {
        this.o.onError(outcome.err, 'watch')
        await this.pause(++failures)
      } else if (outcome.events === 0) {
        // Closed at once with nothing said: don't spin on a server that keeps doing that.
        await this.pause(++failures)
      } else {
        failures = 0
      }
    }
  }

  private async list(): Promise<'listed' | 'not-served'> {
    const items: M[] = []
    let cont: string | undefined
    let rv = ''
    do {
      let page: ListPage<T>
      try {
        page = await this.o.api.getJson<ListPage<T>>(this.o.path, { limit: this.o.pageSize, continue: cont })
      } catch (err) {
        if (this.o.optional && httpStatus(err) === 404) {
          this.o.handlers.replace([])
          this.markSynced()
          return 'not-served'
        }
        throw err
      }
      if (this.stopped) return 'listed'
      for (const item of page.items ?? []) items.push(this.o.map(item))
      cont = page.metadata?.continue || undefined
      rv = page.metadata?.resourceVersion ?? rv
    } while (cont)
    this.o.handlers.replace(items)
    this.rv = rv
    this.markSynced()
    return 'listed'
  }

  private watchOnce(): Promise<WatchOutcome> {
    return new Promise((resolve) => {
      let events = 0
      let gone = false
      let finished = false
      let errorStatus: unknown = null
      const onEvent = (type: WatchEventType, obj: unknown) => {
        if (this.stopped) return
        if (type === 'ERROR') {
          // A Status inside the stream; 410 means our resourceVersion is too old.
          const code = (obj as { code?: number } | null)?.code
          if (code === 410) gone = true
          else errorStatus = Object.assign(new Error(`watch ${this.o.resource}: ${JSON.stringify(obj)}`), { statusCode: code })
          this.stream?.abort()
          return
        }
        events++
        const o = obj as T
        const rv = o?.metadata?.resourceVersion
        if (rv && isOlderVersion(rv, this.rv)) {
          // Versions went backwards: the server's storage was replaced (a restarted simulator,
          // a restored etcd). What we hold cannot be reconciled event by event: relist.
          gone = true
          this.stream?.abort()
          return
        }
        if (type === 'DELETED' && this.o.handlers.deleted) this.o.handlers.deleted(o)
        else if (type !== 'BOOKMARK') this.o.handlers.event(type, this.o.map(o))
        if (rv) this.rv = rv
      }
      const onDone = (err: unknown) => {
        finished = true
        this.stream = null
        resolve({ err: gone ? null : (errorStatus ?? err), events, gone })
      }
      const query = { resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds: this.o.watchTimeoutSeconds }
      this.o.api.watch(this.o.path, query, onEvent, onDone, { deletedAsKey: this.o.handlers.deleted !== undefined }).then(
        (handle) => {
          if (finished) return
          this.stream = handle
          if (this.stopped) handle.abort()
        },
        (err: unknown) => resolve({ err, events, gone }),
      )
    })
  }

  private async pause(attempt: number): Promise<void> {
    const ms = backoffDelay(attempt, this.o.backoff, this.o.random)
    await Promise.race([this.o.clock.sleep(ms), this.stoppedSignal])
  }

  private markSynced(): void {
    if (this.synced) return
    this.synced = true
    for (const wake of this.syncWaiters.splice(0)) wake()
  }
}
