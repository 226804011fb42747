// A scripted Kubernetes API over real HTTP on port 0, for wire behaviour the simulator does
// not produce on demand (a 410 inside a watch, a watch refused with 500, a stream that ends).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { KubeConfig } from '@kubernetes/client-node'

export interface Recorded {
  method: string
  path: string
  query: Record<string, string>
}

export type Handler = (req: Recorded, res: http.ServerResponse) => void

export interface FakeApiServer {
  url: string
  kc: KubeConfig
  requests: Recorded[]
  /** Handlers are taken in order per route key ("LIST /api/v1/nodes", "WATCH /api/v1/nodes", "GET /version"); the last one repeats. */
  on(key: string, ...handlers: Handler[]): void
  close(): Promise<void>
}

export const json = (status: number, body: unknown): Handler => (_req, res) => {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}

/** A watch that sends these events and then stays open (or ends, when `end`). */
export const stream = (events: { type: string; object: unknown }[], end = false): Handler => (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.flushHeaders()
  for (const e of events) res.write(JSON.stringify(e) + '\n')
  if (end) res.end()
}

export const status = (code: number, reason: string, message: string): Handler =>
  json(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code })

export async function startFakeApiServer(): Promise<FakeApiServer> {
  const routes = new Map<string, Handler[]>()
  const requests: Recorded[] = []
  const open = new Set<http.ServerResponse>()
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const query = Object.fromEntries(url.searchParams)
    const rec = { method: req.method ?? 'GET', path: url.pathname, query }
    requests.push(rec)
    const verb = req.method === 'GET' ? (query.watch === 'true' ? 'WATCH' : /\/(nodes|pods|poddisruptionbudgets)$/.test(url.pathname) ? 'LIST' : 'GET') : req.method
    const list = routes.get(`${verb} ${url.pathname}`)
    const handler = list && list.length > 1 ? list.shift()! : list?.[0]
    open.add(res)
    res.on('close', () => open.delete(res))
    if (!handler) return status(404, 'NotFound', `no route ${verb} ${url.pathname}`)(rec, res)
    handler(rec, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'u' }],
    currentContext: 'fake',
  })
  return {
    url,
    kc,
    requests,
    on: (key, ...handlers) => routes.set(key, handlers),
    close: async () => {
      for (const res of open) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
