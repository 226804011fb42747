// The client-node API clients for one cluster, sharing one transport (keep-alive, timeout,
// request counts), plus raw JSON reads and watch streams authenticated by the same KubeConfig.
// Large lists are read raw: the generated clients' model deserialization of 100,000 pods costs
// seconds and a second copy in memory.
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  createConfiguration,
  HttpMethod,
  PolicyV1Api,
  RequestContext,
  ServerConfiguration,
  VersionApi,
  wrapHttpLibrary,
  type KubeConfig,
} from '@kubernetes/client-node'
import http from 'node:http'
import https from 'node:https'
import { HttpTransport, RequestTimeoutError } from './http-transport.js'
import { lineSplitter } from './ndjson.js'
import { deletedObject } from './watch-event.js'
import { ApiRequestCounter } from './request-counter.js'

export interface KubernetesApiOptions {
  /** Per-request timeout for non-watch requests; default 10 s. */
  timeoutMs?: number
  counter?: ApiRequestCounter
  maxSockets?: number
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'

type Query = Record<string, string | number | boolean | undefined>

/** The path of one node. */
export const nodePath = (name: string): string => `/api/v1/nodes/${encodeURIComponent(name)}`

export class KubernetesApi {
  readonly core: CoreV1Api
  readonly coordination: CoordinationV1Api
  readonly policy: PolicyV1Api
  readonly version: VersionApi
  readonly counter: ApiRequestCounter
  private readonly transport: HttpTransport
  private readonly server: string
  private readonly timeoutMs: number

  constructor(
    readonly kc: KubeConfig,
    opts: KubernetesApiOptions = {},
  ) {
    const cluster = kc.getCurrentCluster()
    if (!cluster) throw new Error('kubeconfig has no current cluster')
    this.server = cluster.server.replace(/\/+$/, '')
    this.counter = opts.counter ?? new ApiRequestCounter()
    this.timeoutMs = opts.timeoutMs ?? 10_000
    this.transport = new HttpTransport({ timeoutMs: this.timeoutMs, counter: this.counter, maxSockets: opts.maxSockets })
    const config = createConfiguration({
      baseServer: new ServerConfiguration(this.server, {}),
      authMethods: { default: kc },
      httpApi: wrapHttpLibrary(this.transport),
    })
    this.core = new CoreV1Api(config)
    this.coordination = new CoordinationV1Api(config)
    this.policy = new PolicyV1Api(config)
    this.version = new VersionApi(config)
  }

  /** GET a path as parsed JSON; a non-2xx answer throws client-node's ApiException with the Status text as body. */
  async getJson<T>(path: string, query: Query = {}): Promise<T> {
    return JSON.parse(await this.send(HttpMethod.GET, path, query)) as T
  }

  /**
   * PATCH a path with a body of the given patch type (e.g. application/json-patch+json). The
   * object the server answers with is not needed, so not parsed: client-node's patchNode would
   * turn it into a V1Node model on every write of an apply.
   */
  async patch(path: string, body: unknown, contentType: string, query: Query = {}): Promise<void> {
    await this.send(HttpMethod.PATCH, path, query, { body: JSON.stringify(body), contentType })
  }

  private async send(method: HttpMethod, path: string, query: Query, payload?: { body: string; contentType: string }): Promise<string> {
    const ctx = new RequestContext(this.server + path, method)
    for (const [k, v] of Object.entries(query)) if (v !== undefined) ctx.setQueryParam(k, String(v))
    ctx.setHeaderParam('Accept', 'application/json')
    if (payload) {
      ctx.setHeaderParam('Content-Type', payload.contentType)
      ctx.setBody(payload.body)
    }
    await this.kc.applySecurityAuthentication(ctx)
    const res = await this.transport.send(ctx)
    const text = await res.body.text()
    if (res.httpStatusCode < 200 || res.httpStatusCode > 299) {
      throw new ApiException(res.httpStatusCode, `${method} ${path}`, text, res.headers)
    }
    return text
  }

  /**
   * Opens a watch stream (newline-delimited JSON events). `onEvent` gets each event's raw
   * object; `onDone` is called once: with an error (an ApiException for a non-200 answer)
   * or null when the stream ended. The returned abort() works at any moment, even before
   * the response headers arrive (client-node's Watch only hands out its abort after them).
   */
  async watch(
    path: string,
    query: Query,
    onEvent: (type: WatchEventType, obj: unknown) => void,
    onDone: (err: unknown) => void,
    /** DELETED events' objects as their name, namespace and resourceVersion only (read without parsing the rest, where possible). */
    options: { deletedAsKey?: boolean } = {},
  ): Promise<{ abort(): void }> {
    const ctx = new RequestContext(this.server + path, HttpMethod.GET)
    ctx.setQueryParam('watch', 'true')
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') ctx.setQueryParam(k, String(v))
    ctx.setHeaderParam('Accept', 'application/json')
    await this.kc.applySecurityAuthentication(ctx)
    const url = new URL(ctx.getUrl())
    const lib = url.protocol === 'http:' ? http : https
    let finished = false
    // Until the headers arrive the request is bounded like any other; the stream itself is
    // bounded by the server (timeoutSeconds).
    const headersTimer = setTimeout(() => finish(new RequestTimeoutError('WATCH', url.pathname, this.timeoutMs)), this.timeoutMs)
    const req = lib.request(url, { method: 'GET', headers: ctx.getHeaders(), agent: ctx.getAgent() })
    const finish = (err: unknown) => {
      if (finished) return
      finished = true
      clearTimeout(headersTimer)
      req.destroy()
      onDone(err)
    }
    req.on('response', (res) => {
      clearTimeout(headersTimer)
      const status = res.statusCode ?? 0
      this.counter.record('WATCH', status)
      if (status !== 200) {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => finish(new ApiException(status, `WATCH ${path}`, Buffer.concat(chunks).toString('utf8'), {})))
        res.on('error', finish)
        return
      }
      res.on(
        'data',
        lineSplitter((line) => {
          if (finished) return
          const deleted = options.deletedAsKey ? deletedObject(line) : null
          if (deleted) return onEvent('DELETED', deleted)
          let event: { type?: string; object?: unknown }
          try {
            event = JSON.parse(line) as { type?: string; object?: unknown }
          } catch {
            return finish(new Error(`watch ${path}: malformed event: ${line.slice(0, 200)}`))
          }
          onEvent(event.type as WatchEventType, event.object)
        }),
      )
      res.on('error', finish)
      res.on('end', () => finish(null))
      res.on('close', () => finish(null))
    })
    req.on('error', (err: Error & { code?: string }) => {
      if (finished) return
      this.counter.record('WATCH', err.code ?? 'ERR')
      finish(err)
    })
    req.end()
    return { abort: () => finish(null) }
  }

  close(): void {
    this.transport.close()
  }
}
