// Multi-row INSERTs as plain SQL (the same text on SQLite and PostgreSQL). Prisma compiles every
// createMany anew (its query plans are cached for the other operations only); an apply inserts
// audit events dozens of times and node locks once, each time with a different number of rows.
import { Prisma } from '../../generated/prisma/client.js'
import type { Tx } from './write-transaction.js'

/** Rows per statement: far below SQLite's and PostgreSQL's limits on parameters per statement. */
const ROWS_PER_INSERT = 500

type Value = string | number | boolean | Date | null

export async function insertRows<C extends string>(tx: Tx, table: string, columns: readonly C[], rows: Record<C, Value>[]): Promise<void> {
  const head = Prisma.raw(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES `)
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const values = rows.slice(i, i + ROWS_PER_INSERT).map((row) => Prisma.sql`(${Prisma.join(columns.map((c) => row[c]))})`)
    await tx.$executeRaw`${head}${Prisma.join(values)}`
  }
}
