import { parse } from 'graphql'
import { beforeAll, describe, expect, it } from 'vitest'
import { queryLimitErrors } from '../../src/graphql/limits.js'
import { buildNodeplanSchema } from '../../src/graphql/schema.js'

/** `{ ...F0 }` where each fragment spreads the next one twice: 2^levels uses of the last one. */
function doubling(levels: number, leaf: string): string {
  let doc = '{ ...F0 }\n'
  for (let i = 0; i < levels; i++) doc += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }\n`
  return doc + `fragment F${levels} on Query { ${leaf} }\n`
}

describe('query limits against fragments that double at every level', () => {
  let schema: Awaited<ReturnType<typeof buildNodeplanSchema>>
  beforeAll(async () => {
    schema = await buildNodeplanSchema()
  })
  const errors = (doc: string, variables?: Record<string, unknown>) => queryLimitErrors(schema, parse(doc), undefined, variables).map((e) => e.message)

  it('stops walking 2^60 uses of a fragment after 10,000 selections', () => {
    // Before the walk was bounded this took 2^60 steps and never returned.
    // __typename is costed like any field, so the 2^60 uses are refused.
    expect(errors(doubling(60, '__typename'))).toEqual([expect.stringContaining('selects more than 500 fields')])
    expect(errors(doubling(7, '__typename'))).toEqual([])
  })

  it('still counts every use of a fragment towards the cost and the fields', () => {
    const page = 'plans(first: 100) { edges { node { id status } } }' // costs 1 + 100 × 4 = 401, 5 fields
    expect(errors(doubling(5, page))).toEqual([]) // 2^5 uses: 12,832
    expect(errors(doubling(6, page))).toEqual([expect.stringContaining('costs more than 20000')]) // 25,664
    // The walk stops after 10,000 selections, long before 2^60 × 5 fields: refused for its fields.
    expect(errors(doubling(60, page))).toEqual([expect.stringContaining('selects more than 500 fields')])
    expect(errors(doubling(7, 'systemNodes { ready }'))).toEqual([]) // 2^7 × 2 = 256 fields
    expect(errors(doubling(10, 'systemNodes { ready }'))).toEqual([expect.stringContaining('selects more than 500 fields')]) // 2,048
  })

  it('costs a page by the value of `first`, from a variable too, and by its default when not given', () => {
    const pages = (first: string) => `query($n: Int) { ${Array.from({ length: 50 }, (_, i) => `p${i}: plans(first: ${first}) { edges { node { id status } } }`).join(' ')} }`
    // Each costs 1 + first × 4: 50 × 397 = 19,850 with 99, 50 × 401 = 20,050 with 100.
    expect(errors(pages('$n'), { n: 99 })).toEqual([])
    expect(errors(pages('$n'), { n: 100 })).toEqual([expect.stringContaining('costs more than 20000')])
    expect(errors(pages('100'))).toEqual([expect.stringContaining('costs more than 20000')])
    // Not given: its default, 20 (50 × 81); null: 50 items (50 × 201 = 10,050).
    expect(errors(pages('$n'))).toEqual([])
    expect(errors(pages('$n'), { n: null })).toEqual([])
  })

  describe('aliases of the whole nodes list', () => {
    const NODE = 'name roles ready notReadySince unschedulable draining gpus gpusInUse taints { key value effect } labels { key value } workloads { namespace name kind relocation project gpus pods }'
    const aliased = (n: number, wrap: (i: number) => string) => `{ ${Array.from({ length: n }, (_, i) => wrap(i)).join(' ')} }`

    it('lets 17 through: each costs as if 50 nodes came back (1 + 50 × 23)', () => {
      expect(errors(`{ nodes { ${NODE} } }`)).toEqual([])
      expect(errors(aliased(17, (i) => `n${i}: nodes { ${NODE} }`))).toEqual([])
    })

    it.each([
      ['as fields', aliased(18, (i) => `n${i}: nodes { ${NODE} }`)],
      ['in inline fragments on Query', aliased(30, (i) => `... on Query { n${i}: nodes { ${NODE} } }`)],
      ['through fragments on Query', aliased(30, (i) => `...Q${i}`) + Array.from({ length: 30 }, (_, i) => `\nfragment Q${i} on Query { n${i}: nodes { ${NODE} } }`).join('')],
    ])('refuses more of them %s', (_, doc) => {
      expect(errors(doc)).toEqual([expect.stringContaining('costs more than 20000')])
    })
  })
})
