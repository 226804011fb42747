// One rule for every argument of every operation, declared once in buildSchema: no string
// anywhere in an argument may hold a control or invisible formatting character (what is stored is
// printed later, in terminals too); then class-validator's decorators on input classes, as
// type-graphql would run them without a validateFn.
import { validateOrReject, type ValidationError } from 'class-validator'
import { ArgumentValidationError, type ValidatorFn } from 'type-graphql'
import { NodeplanError } from '../domain/errors.js'
import { codePointName, findUnsafeCharacter } from '../domain/unsafe-text.js'

const CLASS_VALIDATOR_OPTIONS = { skipMissingProperties: true, forbidUnknownValues: false }

export const validateArgument: ValidatorFn = async (value, _type, { args }) => {
  const name = Object.keys(args).find((key) => args[key] === value) ?? null
  refuseUnsafeText(value, name)
  if (value === null || typeof value !== 'object' || value instanceof Date) return
  try {
    const objects = (Array.isArray(value) ? value : [value]).filter((item) => item !== null && typeof item === 'object')
    await Promise.all(objects.map((item) => validateOrReject(item, CLASS_VALIDATOR_OPTIONS)))
  } catch (errors) {
    throw new ArgumentValidationError(errors as ValidationError[])
  }
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
