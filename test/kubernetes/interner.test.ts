import { describe, expect, it } from 'vitest'
import { Interner, internFlat, internRecord } from '../../src/adapters/kubernetes/interner.js'

describe('Interner', () => {
  it('gives back the first instance kept under a key', () => {
    const table = new Interner<string, object>(10)
    const first = { a: 1 }
    expect(table.intern('k', first)).toBe(first)
    expect(table.intern('k', { a: 1 })).toBe(first)
  })

  it('holds at most two generations: a value not asked for during a whole generation is forgotten', () => {
    const table = new Interner<number, object>(2)
    const zero = { n: 0 }
    table.intern(0, zero)
    table.intern(1, {})
    table.intern(2, {}) // the young generation (0, 1) becomes the old one
    expect(table.intern(0, { n: 0 })).toBe(zero) // found in the old generation, moved back to the young one
    table.intern(3, {}) // (2, 0) become the old generation; (1) is dropped
    table.intern(4, {})
    expect(table.size).toBeLessThanOrEqual(4)
    const one = { n: 1 }
    expect(table.intern(1, one)).toBe(one)
  })

  it('returns the given value when the kept one under the same key is not the same (a hash collision)', () => {
    const table = new Interner<number, { v: string }>(10)
    const kept = table.intern(7, { v: 'a' }, (x, y) => x.v === y.v)
    const other = { v: 'b' }
    expect(table.intern(7, other, (x, y) => x.v === y.v)).toBe(other)
    expect(table.intern(7, { v: 'a' }, (x, y) => x.v === y.v)).toBe(kept)
  })
})

describe('internRecord and internFlat', () => {
  it('share one frozen copy of equal label sets and keep different ones apart', () => {
    const a = internRecord({ app: 'train-1', project: 'vision' })
    expect(internRecord({ app: 'train-1', project: 'vision' })).toBe(a)
    expect(Object.isFrozen(a)).toBe(true)
    expect(internRecord({ app: 'train-2', project: 'vision' })).not.toBe(a)
    expect(internRecord({ project: 'vision', app: 'train-1' })).toEqual(a)
  })

  it('share owner references that agree on every field, booleans included', () => {
    const owner = internFlat({ kind: 'Job', name: 'train', uid: 'u-1', controller: true })
    expect(internFlat({ kind: 'Job', name: 'train', uid: 'u-1', controller: true })).toBe(owner)
    expect(internFlat({ kind: 'Job', name: 'train', uid: 'u-1', controller: false })).not.toBe(owner)
    expect(internFlat({ kind: 'Job', name: 'train', uid: 'u-1' })).not.toBe(owner)
  })
})
