import { readFileSync } from 'node:fs'
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  print,
  astFromValue,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLNamedType,
} from 'graphql'
import { describe, expect, it } from 'vitest'

const contract = buildSchema(readFileSync(new URL('../../../shared/api/contract.graphql', import.meta.url), 'utf8'))
const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'))

/**
 * Parts of the contract the service does not serve yet. Each later issue shrinks this list;
 * the test fails both when an unlisted part is missing and when a listed part has been built.
 */
const NOT_YET_BUILT: string[] = []

/** Every element of the contract, by a path like `Type`, `Type.field`, `Type.field(arg)`, `Enum.VALUE`. */
function contractPaths(): { path: string; check: () => string | null }[] {
  const out: { path: string; check: () => string | null }[] = []
  for (const type of Object.values(contract.getTypeMap())) {
    if (type.name.startsWith('__')) continue
    const mine = schema.getType(type.name) as GraphQLNamedType | undefined
    out.push({ path: type.name, check: () => (mine ? sameKind(type, mine) : 'missing') })
    if (!mine) continue
    if (isEnumType(type) && isEnumType(mine)) {
      for (const value of type.getValues()) {
        out.push({ path: `${type.name}.${value.name}`, check: () => (mine.getValue(value.name) ? null : 'missing') })
      }
    }
    if ((isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) && 'getFields' in mine) {
      const mineFields = (mine as typeof type).getFields() as Record<string, { type: unknown; args?: readonly GraphQLArgument[] }>
      for (const field of Object.values(type.getFields())) {
        const path = `${type.name}.${field.name}`
        const other = mineFields[field.name]
        out.push({
          path,
          check: () => {
            if (!other) return 'missing'
            if (String(other.type) !== String(field.type)) return `type ${String(other.type)}, contract says ${String(field.type)}`
            if (isInputObjectType(type)) return sameDefault(field as GraphQLInputField, other as unknown as GraphQLInputField)
            return null
          },
        })
        if (!other || !('args' in field)) continue
        for (const arg of field.args) {
          const mineArg = other.args?.find((a: GraphQLArgument) => a.name === arg.name)
          out.push({
            path: `${path}(${arg.name})`,
            check: () => {
              if (!mineArg) return 'missing'
              if (String(mineArg.type) !== String(arg.type)) return `type ${String(mineArg.type)}, contract says ${String(arg.type)}`
              return sameDefault(arg, mineArg)
            },
          })
        }
        for (const extra of other.args ?? []) {
          if (field.args.some((a: GraphQLArgument) => a.name === extra.name)) continue
          out.push({
            path: `${path}(${extra.name}) [added]`,
            check: () => (String(extra.type).endsWith('!') && extra.defaultValue === undefined ? 'a required argument the contract does not have' : null),
          })
        }
      }
    }
  }
  return out
}

function sameKind(a: GraphQLNamedType, b: GraphQLNamedType): string | null {
  const kind = (t: GraphQLNamedType) =>
    isObjectType(t) ? 'object' : isInputObjectType(t) ? 'input' : isEnumType(t) ? 'enum' : isScalarType(t) ? 'scalar' : t.constructor.name
  return kind(a) === kind(b) ? null : `a ${kind(b)}, contract says ${kind(a)}`
}

function sameDefault(contractArg: GraphQLArgument | GraphQLInputField, mine: GraphQLArgument | GraphQLInputField): string | null {
  const show = (a: GraphQLArgument | GraphQLInputField) => {
    if (a.defaultValue === undefined) return 'none'
    const ast = astFromValue(a.defaultValue, a.type)
    return ast ? print(ast) : 'none'
  }
  return show(contractArg) === show(mine) ? null : `default ${show(mine)}, contract says ${show(contractArg)}`
}

describe('schema.graphql against the contract portals build on', () => {
  const paths = contractPaths()

  it('lists only real contract parts as not yet built', () => {
    const known = new Set(paths.map((p) => p.path))
    expect(NOT_YET_BUILT.filter((p) => !known.has(p) && !known.has(p.split('.')[0]!))).toEqual([])
  })

  it.each(paths.filter((p) => !NOT_YET_BUILT.some((n) => p.path === n || p.path.startsWith(`${n}.`) || p.path.startsWith(`${n}(`))))(
    '$path matches the contract',
    ({ check }) => {
      expect(check()).toBeNull()
    },
  )

  it.each(NOT_YET_BUILT.map((path) => ({ path })))('$path is listed as not built, so it must not exist yet', ({ path }) => {
    const [typeName, fieldName] = path.split('.')
    const type = schema.getType(typeName!)
    const exists = fieldName ? Boolean(type && 'getFields' in type && (type.getFields() as Record<string, unknown>)[fieldName]) : Boolean(type)
    expect(exists, `${path} exists now: remove it from NOT_YET_BUILT`).toBe(false)
  })
})
