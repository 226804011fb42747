// POST /signals: health signals as plain JSON, for tools that can only post a webhook. The same
// bearer tokens as /graphql (the HTTP server authenticates before this runs) and the same rules
// as the reportNodeHealth mutation; the answer is the signal as stored, or an error with its code.
//   {"cluster":"train-eu","node":"gpu-7","source":"dcgm","code":"XID-79","severity":"CRITICAL","message":"GPU fell off the bus","time":"2026-12-06T03:00:00Z"}
import type { Fleet } from '../app/fleet.js'
import type { Principal } from '../auth.js'
import { NodeplanError, type ErrorCode } from '../domain/errors.js'
import type { SignalReport } from '../domain/health-signal.js'

export const SIGNAL_INTAKE_PATH = '/signals'

/** A POST route the HTTP server authenticates, reads a JSON body for, and answers with JSON. */
export interface PostRoute {
  path: string
  handle(principal: Principal, body: unknown): Promise<{ status: number; body: unknown }>
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  KUBERNETES_UNAVAILABLE: 503,
}

const KEYS = ['cluster', 'node', 'source', 'code', 'severity', 'message', 'time', 'cleared']

function toReport(body: unknown): Omit<SignalReport, 'at'> & { at: Date | null } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new NodeplanError('BAD_USER_INPUT', 'the body must be one JSON object: {"node", "source", "code", "severity", "message", "time", "cleared"}')
  }
  const doc = body as Record<string, unknown>
  const unknown = Object.keys(doc).find((k) => !KEYS.includes(k))
  if (unknown) throw new NodeplanError('BAD_USER_INPUT', `unknown field "${unknown}" (known: ${KEYS.join(', ')})`, { field: unknown })
  if (doc.time !== undefined && typeof doc.time !== 'string') throw new NodeplanError('BAD_USER_INPUT', 'time must be an ISO-8601 date and time', { field: 'time' })
  // checkReport (in the service) checks every field's type and form.
  return {
    node: doc.node as string,
    source: doc.source as string,
    code: doc.code as string,
    severity: doc.severity as SignalReport['severity'],
    message: (doc.message ?? '') as string,
    at: doc.time === undefined ? null : new Date(doc.time as string),
    cleared: (doc.cleared ?? false) as boolean,
  }
}

export function signalIntakeRoute(fleet: Fleet): PostRoute {
  return {
    path: SIGNAL_INTAKE_PATH,
    async handle(principal, body) {
      try {
        const report = toReport(body)
        const cluster = (body as { cluster?: unknown }).cluster
        if (cluster !== undefined && typeof cluster !== 'string') throw new NodeplanError('BAD_USER_INPUT', 'cluster must be a cluster name', { field: 'cluster' })
        return { status: 200, body: { signal: await fleet.pick(principal, cluster, 'a signal').signals.report(principal, report) } }
      } catch (err) {
        if (!(err instanceof NodeplanError)) throw err
        return { status: STATUS[err.code] ?? 500, body: { errors: [{ message: err.message, extensions: { code: err.code, ...err.details } }] } }
      }
    },
  }
}
