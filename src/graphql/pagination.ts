import type { Page } from '../app/ports.js'
import { checkPageSize } from '../domain/page-size.js'

/** The `first` argument of a list: 1 to MAX_PAGE_SIZE. */
export const firstArg = (first: number | null): number => checkPageSize(first)

/** A repository page as a Relay-style connection. */
export function toConnection<T>(page: Page<T>) {
  return {
    edges: page.items.map((node, i) => ({ node, cursor: page.cursors[i]! })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    totalCount: page.totalCount,
  }
}
