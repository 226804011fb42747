// Writes schema.graphql from the type-graphql code. `npm run schema` after changing src/graphql;
// test/graphql/schema-file.test.ts fails while the committed file is out of date.
import 'reflect-metadata'
import { writeFileSync } from 'node:fs'
import { printNodeplanSchema } from '../src/graphql/print-schema.js'

writeFileSync(new URL('../schema.graphql', import.meta.url), await printNodeplanSchema())
process.stdout.write('wrote schema.graphql\n')
