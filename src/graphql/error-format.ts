import { GraphQLError, type GraphQLFormattedError } from 'graphql'
import { unwrapResolverError } from '@apollo/server/errors'
import { NodeplanError, type ErrorCode } from '../domain/errors.js'
import type { Logger } from '../logger.js'

/** Every code an error of this API may carry in `extensions.code`; printed at the top of schema.graphql. */
export const CONTRACT_CODES: ReadonlySet<string> = new Set<string>([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'PLAN_STALE',
  'PLAN_NOT_APPLICABLE',
  'LOCKED',
  'LAST_SYSTEM_NODE',
  'APPROVAL_REQUIRED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'KUBERNETES_UNAVAILABLE',
  'KUBERNETES_API_ERROR',
  'INTERNAL_SERVER_ERROR',
])

/** Apollo's and graphql-js's own codes for a request that is wrong, which the contract calls BAD_USER_INPUT. */
const REQUEST_ERRORS = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
])

/**
 * Every error leaving the API carries one of the contract's codes. Errors nodeplan did not
 * anticipate are logged in full and reach the caller only as INTERNAL_SERVER_ERROR.
 */
export function makeFormatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error)
    if (original instanceof NodeplanError) {
      return withCode(formatted, original.code, original.message, original.details)
    }
    const code = String(formatted.extensions?.code ?? '')
    if (CONTRACT_CODES.has(code) && code !== 'INTERNAL_SERVER_ERROR') return withCode(formatted, code as ErrorCode, formatted.message)
    if (REQUEST_ERRORS.has(code)) return withCode(formatted, 'BAD_USER_INPUT', formatted.message)
    if (original instanceof GraphQLError && !original.originalError && (formatted.locations || !formatted.path)) {
      // graphql-js coercion errors (wrong variable types, unknown enum values) and some of Apollo's
      // request checks (a persisted-query hash that does not match the query) have no code of their own.
      return withCode(formatted, 'BAD_USER_INPUT', formatted.message)
    }
    log.error('unexpected error', { error: original instanceof Error ? original : String(original), path: formatted.path })
    return withCode(formatted, 'INTERNAL_SERVER_ERROR', 'internal error: nodeplan logged the details; the request may be retried')
  }
}

function withCode(formatted: GraphQLFormattedError, code: ErrorCode, message: string, details: Record<string, unknown> = {}): GraphQLFormattedError {
  return {
    message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { ...details, code },
  }
}
