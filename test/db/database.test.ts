import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import Sqlite from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, sqlitePath } from '../../src/adapters/db/database.js'
import { NodeplanError } from '../../src/domain/errors.js'
import { drainDraft } from './temp-database.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodeplan-open-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('openDatabase', () => {
  it('should read file: URLs and bare paths as SQLite files and leave other schemes alone', () => {
    expect(sqlitePath('file:./data/nodeplan.db')).toBe('./data/nodeplan.db')
    expect(sqlitePath('file:/var/lib/nodeplan.db')).toBe('/var/lib/nodeplan.db')
    expect(sqlitePath('file:///var/lib/nodeplan.db')).toBe('/var/lib/nodeplan.db')
    expect(sqlitePath('data/nodeplan.db')).toBe('data/nodeplan.db')
    expect(sqlitePath('mysql://db/x')).toBeNull()
  })

  it('should create the parent directory, migrate, use WAL and answer ping', async () => {
    const file = join(dir, 'a', 'b', 'nodeplan.db')
    const db = await openDatabase(`file:${file}`)
    await db.ping()
    expect(db.provider).toBe('sqlite')
    await db.close()
    const sqlite = new Sqlite(file, { readonly: true })
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal')
    sqlite.close()
  })

  it('should open a bare relative path and keep the data across reopening', async () => {
    const file = relative(process.cwd(), join(dir, 'bare.db'))
    const first = await openDatabase(file)
    const plan = await first.plans.create(drainDraft(['n1']), { actor: 'alice', action: 'plan.created' })
    await first.close()
    expect(existsSync(join(dir, 'bare.db'))).toBe(true)

    const second = await openDatabase(`file:${file}`)
    expect((await second.plans.get(plan.id))?.id).toBe(plan.id)
    await second.audit.append({ actor: 'bob', action: 'plan.approved' })
    expect(await second.audit.verify()).toEqual({ checked: 2, firstBroken: null, problem: null, keyed: false })
    await second.close()
  })

  it('should refuse an in-memory SQLite database, which the migrator could not share', async () => {
    await expect(openDatabase('file::memory:')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' })
  })

  it('should refuse an unknown scheme with a message that names the accepted ones and hides the password', async () => {
    const error = await openDatabase('mysql://root:hunter2@db:3306/nodeplan').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NodeplanError)
    expect((error as NodeplanError).code).toBe('BAD_USER_INPUT')
    expect((error as NodeplanError).message).toContain('postgresql://')
    expect((error as NodeplanError).message).not.toContain('hunter2')
  })
})
