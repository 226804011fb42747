import { describe, expect, it } from 'vitest'
import { redactUrl } from '../../src/redact-url.js'

describe('redactUrl', () => {
  it.each([
    ['postgresql://nodeplan:s3cret@db:5432/np', 'postgresql://nodeplan:***@db:5432/np'],
    ['postgresql://a-token@db/np', 'postgresql://***@db/np'],
    ['postgresql://db:5432/np', 'postgresql://db:5432/np'],
    ['file:./.nodeplan/nodeplan.db', 'file:./.nodeplan/nodeplan.db'],
  ])('shows %s as %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown)
  })
})
