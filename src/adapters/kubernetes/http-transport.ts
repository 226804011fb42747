// The HTTP library under client-node's generated API clients. The default one opens a
// new TLS connection per request and has no timeout; this one keeps connections alive,
// bounds every request with a timeout and counts requests by verb and status.
import http from 'node:http'
import https from 'node:https'
import tls from 'node:tls'
import { ResponseContext, type PromiseHttpLibrary, type RequestContext } from '@kubernetes/client-node'
import type { ApiRequestCounter } from './request-counter.js'

export interface HttpTransportOptions {
  /** Whole-request timeout (connect, headers and body). */
  timeoutMs: number
  counter: ApiRequestCounter
  maxSockets?: number
}

export class RequestTimeoutError extends Error {
  readonly code = 'ETIMEDOUT'
  constructor(method: string, path: string, ms: number) {
    super(`${method} ${path} timed out after ${ms} ms`)
    this.name = 'RequestTimeoutError'
  }
}

export class HttpTransport implements PromiseHttpLibrary {
  private shared: http.Agent | null = null

  constructor(private readonly opts: HttpTransportOptions) {}

  send(request: RequestContext): Promise<ResponseContext> {
    const url = new URL(request.getUrl())
    const method = request.getHttpMethod().toString()
    const raw = request.getBody()
    const body = raw === undefined ? undefined : typeof raw === 'string' ? raw : raw.toString()
    const headers: Record<string, string | number> = { ...request.getHeaders() }
    // Node sends a DELETE body neither chunked nor sized unless told its length.
    if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body)
    const agent = this.agentFor(request.getAgent(), url)
    const { counter, timeoutMs } = this.opts
    return new Promise((resolve, reject) => {
      const lib = url.protocol === 'http:' ? http : https
      const req = lib.request(url, { method, headers, agent })
      const timer = setTimeout(() => req.destroy(new RequestTimeoutError(method, url.pathname, timeoutMs)), timeoutMs)
      req.on('response', (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', (err) => fail(err))
        res.on('end', () => {
          clearTimeout(timer)
          const status = res.statusCode ?? 0
          counter.record(method, status)
          const buf = Buffer.concat(chunks)
          const headers: Record<string, string> = {}
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v
          resolve(new ResponseContext(status, headers, { text: async () => buf.toString('utf8'), binary: async () => buf }))
        })
      })
      const fail = (err: Error & { code?: string }) => {
        clearTimeout(timer)
        counter.record(method, err.code ?? 'ERR')
        reject(err)
      }
      req.on('error', fail)
      req.end(body)
    })
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.shared?.destroy()
    this.shared = null
  }

  // KubeConfig hands every request a fresh https.Agent with the cluster's TLS options; one
  // keep-alive agent built from the first one's options serves them all. Proxy agents are used as given.
  private agentFor(given: http.Agent | https.Agent | undefined, url: URL): http.Agent | undefined {
    if (!given || (given.constructor !== https.Agent && given.constructor !== http.Agent)) return given
    if (!this.shared) {
      const options = (given as https.Agent & { options: https.AgentOptions }).options
      if (url.protocol === 'http:') {
        this.shared = new http.Agent({ ...options, keepAlive: true, maxSockets: this.opts.maxSockets ?? 32 })
      } else {
        // One TLS context for every connection: without it each new connection parses the CA
        // and the client key again.
        const { ca, cert, key, pfx, passphrase } = options
        const secureContext = options.secureContext ?? tls.createSecureContext({ ca, cert, key, pfx, passphrase })
        this.shared = new https.Agent({ ...options, secureContext, keepAlive: true, maxSockets: this.opts.maxSockets ?? 32 })
      }
    }
    return this.shared
  }
}
