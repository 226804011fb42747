// The client-node API clients for one cluster, sharing one transport (keep-alive,
// timeout, request counts). Large lists are read as raw JSON: the generated clients'
// model deserialization of 100,000 pods costs seconds and a second copy in memory.
import {
  ApiException,
  CoreV1Api,
  createConfiguration,
  HttpMethod,
  PolicyV1Api,
  RequestContext,
  ServerConfiguration,
  VersionApi,
  Watch,
  wrapHttpLibrary,
  type KubeConfig,
} from '@kubernetes/client-node'
import { HttpTransport } from './http-transport.js'
import { ApiRequestCounter } from './request-counter.js'

export interface KubernetesApiOptions {
  /** Per-request timeout for non-watch requests; default 10 s. */
  timeoutMs?: number
  counter?: ApiRequestCounter
  maxSockets?: number
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'

export class KubernetesApi {
  readonly core: CoreV1Api
  readonly policy: PolicyV1Api
  readonly version: VersionApi
  readonly counter: ApiRequestCounter
  private readonly transport: HttpTransport
  private readonly watcher: Watch
  private readonly server: string

  constructor(
    readonly kc: KubeConfig,
    opts: KubernetesApiOptions = {},
  ) {
    const cluster = kc.getCurrentCluster()
    if (!cluster) throw new Error('kubeconfig has no current cluster')
    this.server = cluster.server.replace(/\/+$/, '')
    this.counter = opts.counter ?? new ApiRequestCounter()
    this.transport = new HttpTransport({ timeoutMs: opts.timeoutMs ?? 10_000, counter: this.counter, maxSockets: opts.maxSockets })
    const config = createConfiguration({
      baseServer: new ServerConfiguration(this.server, {}),
      authMethods: { default: kc },
      httpApi: wrapHttpLibrary(this.transport),
    })
    this.core = new CoreV1Api(config)
    this.policy = new PolicyV1Api(config)
    this.version = new VersionApi(config)
    this.watcher = new Watch(kc)
  }

  /** GET a path as parsed JSON; a non-2xx answer throws client-node's ApiException with the Status text as body. */
  async getJson<T>(path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
    const ctx = new RequestContext(this.server + path, HttpMethod.GET)
    for (const [k, v] of Object.entries(query)) if (v !== undefined) ctx.setQueryParam(k, String(v))
    ctx.setHeaderParam('Accept', 'application/json')
    await this.kc.applySecurityAuthentication(ctx)
    const res = await this.transport.send(ctx)
    const text = await res.body.text()
    if (res.httpStatusCode < 200 || res.httpStatusCode > 299) {
      throw new ApiException(res.httpStatusCode, `GET ${path}`, text, res.headers)
    }
    return JSON.parse(text) as T
  }

  /**
   * Opens a watch stream. `onEvent` gets each event's raw object; `onDone` is called once,
   * with an error (which may carry `statusCode`) or null when the server closed the stream.
   */
  async watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    onEvent: (type: WatchEventType, obj: unknown) => void,
    onDone: (err: unknown) => void,
  ): Promise<{ abort(): void }> {
    let recorded = false
    const record = (code: number | string) => {
      if (!recorded) this.counter.record('WATCH', code)
      recorded = true
    }
    const controller = await this.watcher.watch(
      path,
      query,
      (type: string, obj: unknown) => {
        record(200)
        onEvent(type as WatchEventType, obj)
      },
      (err: unknown) => {
        const e = err as { statusCode?: number; code?: string } | null
        record(e ? (e.statusCode ?? e.code ?? 'ERR') : 200)
        onDone(err)
      },
    )
    return controller
  }

  close(): void {
    this.transport.close()
  }
}
