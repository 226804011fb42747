// One rule for every argument of every operation, declared once in buildSchema: no string
// anywhere in an argument may hold a control or invisible formatting character (what is stored is
// printed later, in terminals too); then the zod schema an input class declares (@CheckedBy).
import type { ValidatorFn } from 'type-graphql'
import { NodeplanError } from '../domain/errors.js'
import { codePointName, findUnsafeCharacter } from '../domain/unsafe-text.js'
import { fieldPath } from '../input-schema.js'
import { inputSchemaOf } from './checked-by.js'

export const validateArgument: ValidatorFn = (value, _type, { args }) => {
  const name = Object.keys(args).find((key) => args[key] === value) ?? null
  refuseUnsafeText(value, name)
  if (value === null || typeof value !== 'object' || value instanceof Date) return
  const items: unknown[] = Array.isArray(value) ? value : [value]
  items.forEach((item, i) => {
    const schema = item !== null && typeof item === 'object' ? inputSchemaOf(item) : undefined
    const result = schema?.safeParse(item)
    if (!result || result.success) return
    const issue = result.error.issues[0]!
    const field = fieldPath([name ?? argumentName(args, value), ...(Array.isArray(value) ? [i] : []), ...issue.path])
    throw new NodeplanError('BAD_USER_INPUT', `${field}: ${issue.message}`, { field })
  })
}

/** Walks strings in arrays and input objects; `field` names where the value is, as errors do elsewhere. */
function refuseUnsafeText(value: unknown, field: string | null): void {
  if (typeof value === 'string') {
    const found = findUnsafeCharacter(value)
    if (!found) return
    const where = field ?? 'an argument'
    throw new NodeplanError(
      'BAD_USER_INPUT',
      `${where}: ${codePointName(found.codePoint)} at character ${found.index + 1} is not allowed: text must be one line of printable characters, without control characters, escape sequences or invisible formatting`,
      { field: where },
    )
  }
  if (Array.isArray(value)) value.forEach((item, i) => refuseUnsafeText(item, `${field ?? ''}[${i}]`))
  else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) refuseUnsafeText(item, key)
  }
}

/** type-graphql hands over an input object as an instance of its class, not the value args holds. */
function argumentName(args: Record<string, unknown>, value: unknown): string {
  const text = JSON.stringify(value)
  return Object.keys(args).find((key) => JSON.stringify(args[key]) === text) ?? 'argument'
}
