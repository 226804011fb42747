// Whether the PostgreSQL tests ran is never silent: under CI=true a missing server fails here.
import { describe, expect, it } from 'vitest'
import { adminQuery, PG_ADMIN_URL, PG_REQUIRED } from './pg-server.js'

describe('the PostgreSQL test server', () => {
  if (PG_ADMIN_URL) {
    it('should answer on NODEPLAN_TEST_PG_URL with PostgreSQL 15 or newer', async () => {
      const [row] = await adminQuery<{ server_version_num: string }>(PG_ADMIN_URL!, 'SHOW server_version_num')
      expect(Number(row!.server_version_num)).toBeGreaterThanOrEqual(150000)
    })
  } else if (PG_REQUIRED) {
    it('should be given under CI (NODEPLAN_TEST_PG_URL; .ci/run starts scripts/pg-test-server.sh)', () => {
      expect.fail('NODEPLAN_TEST_PG_URL is not set under CI=true: the PostgreSQL replica tests cannot run')
    })
  } else {
    it('is not configured: the PostgreSQL replica tests are NOT running', () => {
      console.warn(
        '\n************************************************************************\n' +
          '* NODEPLAN_TEST_PG_URL is not set: test/postgres (two replicas on one  *\n' +
          '* PostgreSQL) does NOT run. Start one: scripts/pg-test-server.sh       *\n' +
          '************************************************************************\n',
      )
      expect(PG_ADMIN_URL).toBeNull()
    })
  }
})
