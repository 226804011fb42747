// Which Host and Origin a request may carry. A browser sends its page's Origin on a websocket
// upgrade and on every POST, and the Host it looked up: a page from another origin (another port
// on this machine included) is refused by its Origin, a DNS-rebound name by its Host. Clients that
// are not browsers (the CLI, curl, scripts) send no Origin and pass on Host alone.
import type { IncomingMessage } from 'node:http'

/** The names a browser on this machine uses for a loopback listener, whatever the port. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]']

export interface OriginPolicyOptions {
  /** Host names without port; null: any. */
  allowedHosts: string[] | null
  /** Origins besides the server's own. */
  allowedOrigins: string[]
}

export interface OriginPolicy {
  /** Why the request is refused, or null when it may go on. */
  refusal(req: IncomingMessage): string | null
  /** The request's Origin when it is one of the configured others (a portal), which gets CORS headers. */
  crossOrigin(req: IncomingMessage): string | null
}

export function originPolicy(options: OriginPolicyOptions): OriginPolicy {
  const hosts = options.allowedHosts ? new Set(options.allowedHosts.map((h) => h.toLowerCase())) : null
  const origins = new Set(options.allowedOrigins)
  const crossOrigin = (req: IncomingMessage) => (req.headers.origin !== undefined && origins.has(req.headers.origin) ? req.headers.origin : null)
  const refusal = (req: IncomingMessage) => {
    const host = (req.headers.host ?? '').toLowerCase()
    if (hosts && !hosts.has(hostName(host))) {
      return `the Host "${host.slice(0, 100)}" is not one this server answers to (see --allowed-hosts)`
    }
    const origin = req.headers.origin
    if (origin === undefined || origins.has(origin)) return null
    let originHost: string | null = null
    try {
      const url = new URL(origin)
      if (url.protocol === 'http:' || url.protocol === 'https:') originHost = url.host
    } catch {}
    // The page's own server: its origin names the host and port the request went to.
    if (originHost !== null && host !== '' && sameHost(originHost, host)) return null
    return `a page from ${origin.slice(0, 100)} may not call this server (see --allowed-origins)`
  }
  return { refusal, crossOrigin }
}

/** `example.com:8080` → `example.com`; `[::1]:8080` → `[::1]`. */
function hostName(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '')
}

/** URL.host drops a default port; a Host header may keep it. */
function sameHost(originHost: string, host: string): boolean {
  const strip = (h: string) => h.replace(/:(80|443)$/, '')
  return strip(originHost) === strip(host)
}
