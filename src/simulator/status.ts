// Kubernetes `Status` failures with the API server's own reasons and messages.

export interface StatusBody {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: Record<string, never>
  status: 'Failure' | 'Success'
  message?: string
  reason?: string
  details?: Record<string, unknown>
  code: number
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
  }

  body(): StatusBody {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    }
  }
}

export function successStatus(code = 200, details?: Record<string, unknown>): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}), code }
}

/** How the API server names a resource in messages: `nodes`, `poddisruptionbudgets.policy`. */
export interface ResourceName {
  group: string
  plural: string
}

const qualified = (r: ResourceName): string => (r.group ? `${r.plural}.${r.group}` : r.plural)
const detailsOf = (r: ResourceName, name: string): Record<string, unknown> => ({
  name,
  ...(r.group ? { group: r.group } : {}),
  kind: r.plural,
})

export const notFound = (r: ResourceName, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${qualified(r)} "${name}" not found`, detailsOf(r, name))

export const alreadyExists = (r: ResourceName, name: string): ApiError =>
  new ApiError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, detailsOf(r, name))

export const conflict = (r: ResourceName, name: string): ApiError =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    detailsOf(r, name),
  )

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message)

export interface InvalidCause {
  reason: 'FieldValueInvalid' | 'FieldValueDuplicate' | 'FieldValueNotSupported' | 'FieldValueRequired' | 'FieldValueForbidden'
  message: string
  field: string
}

/** 422 from validation: `Node "x" is invalid: spec.taints[1]: Duplicate value: …`. */
export function invalid(kind: { group: string; kind: string }, name: string, causes: InvalidCause[]): ApiError {
  const qualifiedKind = kind.group ? `${kind.kind}.${kind.group}` : kind.kind
  const summary = causes.map((c) => `${c.field}: ${c.message}`)
  const message = `${qualifiedKind} "${name}" is invalid: ${summary.length === 1 ? summary[0] : `[${summary.join(', ')}]`}`
  return new ApiError(422, 'Invalid', message, {
    name,
    ...(kind.group ? { group: kind.group } : {}),
    kind: kind.kind,
    causes,
  })
}

/**
 * What the API server answers when a JSON patch (e.g. a `test` op) cannot be applied: no cause in
 * the answer (test/real/differential.test.ts); the simulator keeps it as the error's `cause`.
 */
export const patchRejected = (cause: string): ApiError => {
  const err = new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {})
  err.cause = cause
  return err
}

export const unsupportedPatchType = (): ApiError =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json',
    {},
  )

export const unknownRoute = (): ApiError =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource', {})

export const methodNotAllowed = (): ApiError =>
  new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {})

export const unauthorized = (): ApiError => new ApiError(401, 'Unauthorized', 'Unauthorized')

export const forbidden = (message: string): ApiError => new ApiError(403, 'Forbidden', message, {})

export const gone = (message: string): ApiError => new ApiError(410, 'Expired', message)

export const tooManyRequests = (message: string, details?: Record<string, unknown>): ApiError =>
  new ApiError(429, 'TooManyRequests', message, details)

export const internalError = (message: string): ApiError =>
  new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] })

export const serviceUnavailable = (message: string): ApiError => new ApiError(503, 'ServiceUnavailable', message)
