// `nodeplan serve` on a SQLite file that is damaged or not nodeplan's stops at once with one line
// naming the file, and a non-zero exit; it never serves.
import { mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/adapters/db/database.js'
import { startNodeplanProcess } from '../support/nodeplan-process.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodeplan-dbfile-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The process's whole output, from the error startNodeplanProcess gives when it exits before serving. */
async function refusedStart(file: string): Promise<{ exit: string; lines: string[] }> {
  const error: Error = await startNodeplanProcess(['--port', '0', '--database', `file:${file}`]).then(
    () => {
      throw new Error('nodeplan served')
    },
    (err: Error) => err,
  )
  const [first, ...lines] = error.message.split('\n')
  return { exit: first!, lines: lines.filter((line) => line !== '') }
}

describe('start-up checks the SQLite file', () => {
  it('refuses a nodeplan database with corrupted pages', async () => {
    const file = join(dir, 'corrupt.db')
    await (await openDatabase(`file:${file}`)).close()
    const { default: Sqlite } = await import('better-sqlite3')
    const filler = new Sqlite(file)
    const insert = filler.prepare(`INSERT INTO "AuditEvent" ("seq", "id", "at", "actor", "action", "prevHash", "hash") VALUES (?, ?, 0, 'alice', ?, '', '')`)
    filler.transaction(() => {
      for (let i = 1; i <= 300; i++) insert.run(i, `evt-${i}`, 'x'.repeat(200))
    })()
    filler.close()
    const pages = statSync(file).size / 4096
    expect(pages).toBeGreaterThan(12)
    // Garbage over a run of pages in the middle, the header left intact: it still opens as SQLite.
    const fd = openSync(file, 'r+')
    writeSync(fd, Buffer.alloc(4096 * 6, 0xab), 0, 4096 * 6, 4096 * Math.floor(pages / 2))
    closeSync(fd)

    const { exit, lines } = await refusedStart(file)
    expect(exit).toBe('nodeplan exited with 1 before serving:')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^nodeplan serve: the SQLite file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is corrupt \\(.+\\): restore it from a backup`))
  })

  it('refuses a file that is not a SQLite database, without a backtrace', async () => {
    const file = join(dir, 'notes.db')
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(200))
    const { exit, lines } = await refusedStart(file)
    expect(exit).toBe('nodeplan exited with 1 before serving:')
    expect(lines).toEqual([`nodeplan serve: the file ${file} is not a SQLite database: point --database/DATABASE_URL at nodeplan's own file, or at a new one`])
  })

  it('refuses a SQLite database of another application', async () => {
    const file = join(dir, 'other.db')
    const { default: Sqlite } = await import('better-sqlite3')
    const other = new Sqlite(file)
    other.exec('CREATE TABLE "songs" ("title" TEXT)')
    other.close()
    const { lines } = await refusedStart(file)
    expect(lines).toEqual([
      `nodeplan serve: the SQLite file ${file} is not a nodeplan database (no _prisma_migrations, Plan, AuditEvent, AuditHead table): point --database/DATABASE_URL at nodeplan's own file, or at a new one`,
    ])
  })
})
