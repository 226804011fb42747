// The per-element answer cache of large lists (src/server/list-answer-cache.ts), on a small schema
// built here with the field extensions type-graphql's @KeptAsTextList / @KeptAsTextElement write:
// which queries it takes, that its text is graphql-js's, and when it reuses text.
import { execute, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql'
import { beforeEach, describe, expect, it } from 'vitest'
import { handOverListAnswer, KEPT_AS_TEXT } from '../../../src/graphql/kept-as-text.js'
import { JsonTexts } from '../../../src/server/json-stream.js'
import { ListAnswerCache } from '../../../src/server/list-answer-cache.js'

interface Item {
  name: string
  size: number
  tags: { k: string }[]
}

let items: Item[]
let sizeReads: number

const element = { [KEPT_AS_TEXT]: 'element' }
const Tag = new GraphQLObjectType({ name: 'Tag', fields: { k: { type: GraphQLString, extensions: element } } })
const ItemType = new GraphQLObjectType<Item>({
  name: 'Item',
  fields: {
    name: { type: new GraphQLNonNull(GraphQLString), extensions: element },
    size: {
      type: GraphQLInt,
      extensions: element,
      resolve: (item) => {
        sizeReads++
        if (item.size < 0) throw new Error(`${item.name} has no size`)
        return item.size
      },
    },
    tags: { type: new GraphQLList(Tag), extensions: element },
    shout: { type: GraphQLString, extensions: element, args: { times: { type: GraphQLInt } }, resolve: (item, { times }) => item.name.repeat(times ?? 1) },
    unlisted: { type: GraphQLString, resolve: (item) => item.name },
  },
})

function makeSchema() {
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        items: {
          type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(ItemType))),
          args: { prefix: { type: GraphQLString } },
          extensions: { [KEPT_AS_TEXT]: 'list' },
          resolve: (_, { prefix }, context, info) => {
            if (prefix === 'fail') throw new Error('no such prefix')
            const answer = items.filter((i) => i.name.startsWith(prefix ?? ''))
            handOverListAnswer(context, info, answer)
            return answer
          },
        },
        count: { type: GraphQLInt, resolve: () => items.length },
        undeclared: { type: new GraphQLList(ItemType), resolve: () => items },
      },
    }),
    mutation: new GraphQLObjectType({ name: 'Mutation', fields: { items: { type: new GraphQLList(ItemType), resolve: () => items } } }),
  })
}

function run(cache: ListAnswerCache, query: string, variables: Record<string, unknown> = {}) {
  return cache.execute(parse(query), undefined, {}, variables)
}

describe('ListAnswerCache', () => {
  let schema: GraphQLSchema
  let cache: ListAnswerCache

  beforeEach(() => {
    items = ['a1', 'a2', 'b1'].map((name, i) => ({ name, size: i + 1, tags: [{ k: `t${i}` }] }))
    sizeReads = 0
    schema = makeSchema()
    cache = new ListAnswerCache(schema)
  })

  it.each([
    ['plain fields and a nested list', '{ items { name size tags { k } } }', {}],
    ['aliases, __typename, a fragment and an inline fragment', '{ xs: items { n: name ...F ... on Item { tags { __typename k } } } count } fragment F on Item { size __typename }', {}],
    ['a variable in the list\'s own arguments, two lists', 'query($p: String) { a: items(prefix: $p) { name } all: items { size } }', { p: 'a' }],
  ])('answers %s with the text graphql-js makes', async (_, query, variables) => {
    const result = await run(cache, query, variables)
    expect(result).not.toBeNull()
    expect(Object.values(result!.data!).some((v) => v instanceof JsonTexts)).toBe(true)
    const direct = await execute({ schema, document: parse(query), variableValues: variables })
    expect(JSON.stringify(result)).toBe(JSON.stringify(direct))
  })

  it.each([
    ['a field not declared kept-as-text', '{ items { name unlisted } }'],
    ['a list not declared kept-as-text', '{ undeclared { name } }'],
    ['an argument below the list', '{ items { shout(times: 2) } }'],
    ['a directive below the list', '{ items { name size @include(if: true) } }'],
    ['a directive on the list', '{ items @skip(if: false) { name } }'],
    ['a fragment spread at the root', '{ ...Q } fragment Q on Query { items { name } }'],
    ['one response key twice', '{ items { name } items { size } }'],
    ['a mutation', 'mutation { items { name } }'],
    ['no cached list', '{ count }'],
  ])('leaves %s to ordinary execution', async (_, query) => {
    expect(await run(cache, query)).toBeNull()
  })

  it('reuses the text of an element it has answered until the element is replaced', async () => {
    const query = '{ items { name size } }'
    await run(cache, query)
    expect(sizeReads).toBe(3)
    await run(cache, query)
    expect(sizeReads).toBe(3)

    items[1] = { ...items[1]!, size: 20 }
    const result = await run(cache, query)
    expect(sizeReads).toBe(4)
    expect(JSON.parse(JSON.stringify(result!.data))).toEqual({ items: [{ name: 'a1', size: 1 }, { name: 'a2', size: 20 }, { name: 'b1', size: 3 }] })
  })

  it('keeps one set of texts per selection, and the selections used last', async () => {
    const selections = ['name size', 'size', 'size name', 'size tags { k }', 'n: name size']
    for (const s of selections.slice(0, 4)) await run(cache, `{ items { ${s} } }`)
    expect(sizeReads).toBe(12)
    await run(cache, `{ items { ${selections[0]} } }`)
    expect(sizeReads).toBe(12)
    // A fifth selection drops the one used longest ago ('size'), not the one just used.
    await run(cache, `{ items { ${selections[4]} } }`)
    expect(sizeReads).toBe(15)
    await run(cache, `{ items { ${selections[0]} } }`)
    expect(sizeReads).toBe(15)
    await run(cache, `{ items { ${selections[1]} } }`)
    expect(sizeReads).toBe(18)
  })

  it('gives up, keeping nothing, when an element or the list fails', async () => {
    items[2] = { ...items[2]!, size: -1 }
    expect(await run(cache, '{ items { name size } }')).toBeNull()
    expect(await run(cache, '{ items(prefix: "fail") { name } }')).toBeNull()
    // The list's resolver answers ordinary execution as before.
    const direct = await execute({ schema, document: parse('{ items { name } }') })
    expect(direct.data).toEqual({ items: [{ name: 'a1' }, { name: 'a2' }, { name: 'b1' }] })
  })

  it('writes text that parses back to the same list when JSON.stringify meets it', () => {
    const texts = new JsonTexts(['{"a":1}', '{"b":[true,null]}'])
    expect(JSON.stringify({ data: { items: texts } })).toBe('{"data":{"items":[{"a":1},{"b":[true,null]}]}}')
  })
})
