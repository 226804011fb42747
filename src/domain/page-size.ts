import { NodeplanError } from './errors.js'

/** The most items one page of a list holds: a larger page is refused rather than silently cut. */
export const MAX_PAGE_SIZE = 500

/** A page's `first`: a whole number up to MAX_PAGE_SIZE, at least `min` (callers ask for 1 or more; 0 inside the server reads the count only). */
export function checkPageSize(first: number | null, min = 1): number {
  if (first === null || !Number.isInteger(first) || first < min || first > MAX_PAGE_SIZE) {
    throw new NodeplanError('BAD_USER_INPUT', `"first" must be a whole number from ${min} to ${MAX_PAGE_SIZE}, got ${first}`, { field: 'first' })
  }
  return first
}
