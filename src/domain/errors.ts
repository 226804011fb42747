/** The error codes of the GraphQL contract; every error a caller sees carries one. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'PLAN_STALE'
  | 'PLAN_NOT_APPLICABLE'
  | 'LOCKED'
  | 'LAST_SYSTEM_NODE'
  | 'APPROVAL_REQUIRED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'KUBERNETES_UNAVAILABLE'
  /** The Kubernetes API server answered with an error; extensions carry its HTTP status and reason. */
  | 'KUBERNETES_API_ERROR'
  | 'INTERNAL_SERVER_ERROR'

/** A refusal a person can act on: the message names the node, the field and what to do. */
export class NodeplanError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'NodeplanError'
  }
}
