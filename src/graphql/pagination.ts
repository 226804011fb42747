import type { Page } from '../app/ports.js'
import { NodeplanError } from '../domain/errors.js'

export const MAX_PAGE = 500

/** `first` must be 1..500: a larger page is refused rather than silently cut. */
export function firstArg(first: number | null): number {
  if (first === null || !Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
    throw new NodeplanError('BAD_USER_INPUT', `"first" must be a whole number from 1 to ${MAX_PAGE}, got ${first}`, { field: 'first' })
  }
  return first
}

/** A repository page as a Relay-style connection. */
export function toConnection<T>(page: Page<T>) {
  return {
    edges: page.items.map((node, i) => ({ node, cursor: page.cursors[i]! })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    totalCount: page.totalCount,
  }
}
