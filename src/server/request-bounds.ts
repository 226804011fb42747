/** Per GraphQL request, over HTTP and the websocket: a query's execution time and the answer's size. */
export interface RequestBounds {
  maxRequestMs: number
  maxResponseBytes: number
}

export const DEFAULT_REQUEST_BOUNDS: RequestBounds = { maxRequestMs: 30_000, maxResponseBytes: 64 * 1024 * 1024 }
