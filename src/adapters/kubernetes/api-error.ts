// Classifies what client-node throws: ApiException (an HTTP answer), node's socket errors,
// node-fetch's FetchError (watch) and our RequestTimeoutError.
import { NodeplanError } from '../../domain/errors.js'

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET',
])

interface ErrorLike {
  code?: unknown
  statusCode?: unknown
  body?: unknown
  message?: unknown
  type?: unknown
  errno?: unknown
}

/** The HTTP status of an API answer, or null when there was no answer. */
export function httpStatus(err: unknown): number | null {
  const e = err as ErrorLike | null
  if (!e || typeof e !== 'object') return null
  if (typeof e.code === 'number') return e.code
  if (typeof e.statusCode === 'number') return e.statusCode
  return null
}

/** No answer from the API server: refused, reset, timed out, name not resolved. */
export function isUnreachable(err: unknown): boolean {
  const e = err as ErrorLike | null
  if (!e || typeof e !== 'object' || httpStatus(err) !== null) return false
  if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true
  if (e.type === 'request-timeout' || e.type === 'system') return true
  return typeof e.message === 'string' && /socket hang up|timed out/i.test(e.message)
}

/** Worth retrying after a pause: no answer, 429, or a 5xx. */
export function isTransient(err: unknown): boolean {
  const status = httpStatus(err)
  if (status === null) return isUnreachable(err)
  return status === 429 || status >= 500
}

export interface KubernetesStatus {
  code: number | null
  reason: string | null
  message: string
}

/** The Kubernetes Status carried by an API error, or what is known of the failure. */
export function kubernetesStatus(err: unknown): KubernetesStatus {
  const code = httpStatus(err)
  const body = (err as ErrorLike | null)?.body
  let parsed: unknown = body
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body)
    } catch {
      parsed = { message: body }
    }
  }
  const st = parsed && typeof parsed === 'object' ? (parsed as { reason?: unknown; message?: unknown }) : {}
  const reason = typeof st.reason === 'string' && st.reason ? st.reason : null
  let message = typeof st.message === 'string' && st.message ? st.message : ''
  if (!message) {
    const e = err as ErrorLike | null
    const own = e && typeof e.message === 'string' ? e.message : String(err)
    // ApiException's own message embeds headers and body; keep its first line only.
    message = code !== null ? (own.split('\n')[1]?.replace(/^Message: /, '') ?? own.split('\n')[0] ?? own) : own
  }
  return { code, reason, message }
}

/** "409 Conflict: the object has been modified", or "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:6443". */
export function describeApiError(err: unknown): string {
  const st = kubernetesStatus(err)
  if (st.code === null) {
    const code = (err as ErrorLike | null)?.code
    return typeof code === 'string' && !st.message.includes(code) ? `${code}: ${st.message}` : st.message
  }
  return `${st.code}${st.reason ? ` ${st.reason}` : ''}: ${st.message}`
}

/** KUBERNETES_UNAVAILABLE when the API server gave no answer, KUBERNETES_API_ERROR (with its status and reason) when it answered with an error. */
export function toAdapterError(err: unknown, what: string): Error {
  if (isUnreachable(err)) {
    return new NodeplanError('KUBERNETES_UNAVAILABLE', `${what}: Kubernetes API server unreachable (${describeApiError(err)})`)
  }
  return apiServerError(err, `${what}: the Kubernetes API server ${verdict(err)}: ${describeApiError(err)}`)
}

/** "failed" for a 5xx, "refused" for a 4xx: whose fault it is, in a word. */
const verdict = (err: unknown): string => ((httpStatus(err) ?? 500) >= 500 ? 'failed' : 'refused')

/** A failure the API server answered with, as the contract's KUBERNETES_API_ERROR; a plain Error when there was no HTTP answer. */
export function apiServerError(err: unknown, message: string): Error {
  const st = kubernetesStatus(err)
  if (st.code === null) return new Error(message)
  return new NodeplanError('KUBERNETES_API_ERROR', message, { status: st.code, reason: st.reason })
}
