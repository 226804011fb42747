// Limits an input type's values must keep (lengths, list sizes) beyond what its GraphQL type says,
// declared on the class as a zod schema and checked by validateArgument before the resolver runs.
import type { z } from 'zod'

const schemas = new WeakMap<object, z.ZodType>()

/** Class decorator for an @InputType: the schema every value of it must pass (nested inputs included). */
export function CheckedBy(schema: z.ZodType): ClassDecorator {
  return (target) => {
    schemas.set(target, schema)
  }
}

export function inputSchemaOf(value: object): z.ZodType | undefined {
  return schemas.get(value.constructor)
}
