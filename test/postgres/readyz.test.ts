// /readyz when the PostgreSQL database goes away: "database unreachable", and none of the driver's
// text (the review read the database's host and port from it). The error goes to the log.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseServeConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { startNodeplan, type RunningNodeplan } from '../../src/main.js'
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js'
import { createTestDatabase, PG_ADMIN_URL } from './pg-server.js'

describe('/readyz when PostgreSQL is gone', () => {
  let app: RunningNodeplan | undefined
  let sim: RunningSimulator | undefined
  const dir = mkdtempSync(join(tmpdir(), 'nodeplan-readyz-'))
  afterAll(async () => {
    await app?.close().catch(() => {})
    await sim?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  if (PG_ADMIN_URL) {
    it('says "database unreachable" with no host, port, database name or driver text', async () => {
      const database = await createTestDatabase()
      sim = await startSimulator({ port: 0 })
      writeFileSync(join(dir, 'kubeconfig'), sim.kubeconfig)
      const logs: string[] = []
      app = await startNodeplan(parseServeConfig(['--port', '0', '--database', database.url, '--kubeconfig', join(dir, 'kubeconfig')], {}), {
        log: createLogger({ write: (line) => logs.push(line) }),
        downtimeCheckIntervalMs: 0,
      })
      expect((await fetch(`${app.url}/readyz`)).status).toBe(200)
      await database.drop()
      const res = await fetch(`${app.url}/readyz`)
      const text = await res.text()
      expect(res.status).toBe(503)
      expect(JSON.parse(text).checks.database).toBe('database unreachable')
      const url = new URL(database.url)
      for (const secret of [url.hostname, url.port, url.pathname.slice(1), 'prisma', 'postgres']) expect(text.toLowerCase()).not.toContain(secret.toLowerCase())
      expect(logs.some((l) => l.includes('"readiness check failed"') && l.includes('"check":"database"'))).toBe(true)
    })
  } else {
    it('has no PostgreSQL to run against (NODEPLAN_TEST_PG_URL; see test/postgres/availability.test.ts)', () => {
      expect(PG_ADMIN_URL).toBeNull()
    })
  }
})
