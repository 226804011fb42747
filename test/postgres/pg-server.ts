// The PostgreSQL server the replica tests use: NODEPLAN_TEST_PG_URL, an admin connection
// (scripts/pg-test-server.sh prints one; .ci/run exports it). Each test gets its own database.
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export const PG_ADMIN_URL = process.env.NODEPLAN_TEST_PG_URL ?? null
/** CI must exercise PostgreSQL: there a missing server is a failure, elsewhere a loud skip. */
export const PG_REQUIRED = process.env.CI === 'true'

export async function adminQuery<T extends object = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(text)).rows as T[]
  } finally {
    await client.end()
  }
}

/** A new, empty database on the test server; drop() removes it with its connections. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!PG_ADMIN_URL) throw new Error('NODEPLAN_TEST_PG_URL is not set')
  const name = `nodeplan_replica_${randomBytes(6).toString('hex')}`
  await adminQuery(PG_ADMIN_URL, `CREATE DATABASE "${name}"`)
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      await adminQuery(PG_ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    },
  }
}
