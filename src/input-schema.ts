// Input files (tokens, policy, webhooks) are checked whole against a zod schema: the schema gives
// the type and the message, and every problem is reported as "<file>: <field path>: <what was expected>".
import { readFileSync } from 'node:fs'
import { z } from 'zod'

/** An object that refuses keys it does not know, so that a typo cannot silently disable a rule. */
export function strictObject<Shape extends z.core.$ZodLooseShape>(shape: Shape, expected: string) {
  const known = Object.keys(shape).join(', ')
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')} (known: ${known})` : expected,
  })
}

/** A whole number from min to max (inclusive); `unit` names what it counts ("seconds"), `note` what a value means. */
export function wholeNumber(min: number, max: number, unit = '', note = '') {
  const expected = `must be a whole number${unit && ` of ${unit}`} from ${min} to ${max}${note && ` (${note})`}`
  return z.int(expected).min(min, expected).max(max, expected)
}

/** `webhooks[0].url`; a document that is a list names its items `[0].token`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('')
}

export function describeIssues(error: z.ZodError, origin: string): string {
  return error.issues.map((issue) => `${origin}: ${issue.path.length ? `${fieldPath(issue.path)}: ` : ''}${issue.message}`).join('; ')
}

/** The document as the schema reads it, or an Error naming the file, each field at fault and what it must be. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, origin: string): z.output<S> {
  const result = schema.safeParse(raw)
  if (!result.success) throw new Error(describeIssues(result.error, origin))
  return result.data
}

/** A JSON file's content, or an Error naming the file and why it could not be read or parsed. */
export function readJsonFile(path: string, origin: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new Error(`${origin}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
}
