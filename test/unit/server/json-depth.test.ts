import { describe, expect, it } from 'vitest'
import { jsonDepthExceeds } from '../../../src/server/http-server.js'

describe('jsonDepthExceeds', () => {
  it.each([
    ['a flat request', '{"query":"{ nodes { name } }","variables":{"a":[1,2,{"b":3}]}}', 4, false],
    ['exactly the limit', '[[[1]]]', 3, false],
    ['one level past it', '[[[[1]]]]', 3, true],
    ['brackets inside strings', '{"query":"[[[[[[[[{{{{{{"}', 3, false],
    ['escaped quotes inside strings', '{"q":"\\"[[[[[[\\""}', 2, false],
    ['200,000 nested arrays', '{"v":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}', 64, true],
  ])('%s', (_name, text, max, expected) => {
    expect(jsonDepthExceeds(text, max)).toBe(expected)
  })
})
