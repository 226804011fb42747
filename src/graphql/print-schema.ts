import { lexicographicSortSchema, printSchema } from 'graphql'
import { buildNodeplanSchema } from './schema.js'

const HEADER = `# Emitted from src/graphql by \`npm run schema\`; do not edit by hand.
# The contract portals build against is ../shared/api/contract.graphql; a test keeps the two in step.

`

/** The SDL of the service's schema, sorted so that the committed file diffs cleanly. */
export async function printNodeplanSchema(): Promise<string> {
  return HEADER + printSchema(lexicographicSortSchema(await buildNodeplanSchema())) + '\n'
}
