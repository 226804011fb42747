import { lexicographicSortSchema, printSchema } from 'graphql'
import { CONTRACT_CODES } from './error-format.js'
import { buildNodeplanSchema } from './schema.js'

const HEADER = `# Emitted from src/graphql by \`npm run schema\`; do not edit by hand.
# This file is the API contract portals build against. It may grow; it breaks the last release
# (api/releases/) only with a breaking version bump and a CHANGELOG.md line: see
# test/graphql/compatibility.test.ts. Every error carries extensions.code, one of
${wrap([...CONTRACT_CODES].join(', '))}

`

function wrap(text: string): string {
  return text.replace(/(.{1,96})(?:, |$)/g, '# $1,\n').replace(/,\n$/, '.')
}

/** The SDL of the service's schema, sorted so that the committed file diffs cleanly. */
export async function printNodeplanSchema(): Promise<string> {
  return HEADER + printSchema(lexicographicSortSchema(await buildNodeplanSchema())) + '\n'
}
