import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { printNodeplanSchema } from '../../src/graphql/print-schema.js'

describe('schema.graphql', () => {
  it('is what the code emits (run `npm run schema` after changing src/graphql)', async () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8')
    expect(committed).toBe(await printNodeplanSchema())
  })
})
