// Before anything else touches a SQLite file: is it sound, and is it nodeplan's? A corrupt file
// would otherwise serve and take writes until a read hit the damage, and a file of another kind
// would crash the migration engine with a backtrace that does not name it.
import { statSync } from 'node:fs'
import Sqlite from 'better-sqlite3'

/** The database file cannot be used; the message names it and says what to do, on one line. */
export class DatabaseFileError extends Error {}

/** The tables every migrated nodeplan database has. */
const NODEPLAN_TABLES = ['_prisma_migrations', 'Plan', 'AuditEvent', 'AuditHead']

/**
 * Passes a file that does not exist yet, an empty one, an empty SQLite database (the migrations
 * fill it) and a sound nodeplan database; throws DatabaseFileError for anything else.
 * `PRAGMA quick_check` reads every page: about a second per few hundred MB.
 */
export function checkSqliteFile(file: string): void {
  try {
    if (statSync(file).size === 0) return
  } catch {
    return // not there yet: created empty and migrated
  }
  let db: Sqlite.Database | null = null
  try {
    db = new Sqlite(file, { fileMustExist: true })
    const problems = (db.pragma('quick_check') as { quick_check: string }[]).map((row) => row.quick_check)
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new DatabaseFileError(`the SQLite file ${file} is corrupt (PRAGMA quick_check: ${oneLine(problems.slice(0, 3).join('; '))}): restore it from a backup, or move it away to start with an empty database`)
    }
    const tables = new Set((db.prepare(`SELECT "name" FROM "sqlite_master" WHERE "type" = 'table'`).all() as { name: string }[]).map((t) => t.name))
    if (tables.size === 0) return
    const missing = NODEPLAN_TABLES.filter((table) => !tables.has(table))
    if (missing.length > 0) {
      throw new DatabaseFileError(`the SQLite file ${file} is not a nodeplan database (no ${missing.join(', ')} table): point --database/DATABASE_URL at nodeplan's own file, or at a new one`)
    }
  } catch (err) {
    if (err instanceof DatabaseFileError) throw err
    const code = (err as { code?: string }).code
    if (code === 'SQLITE_NOTADB') throw new DatabaseFileError(`the file ${file} is not a SQLite database: point --database/DATABASE_URL at nodeplan's own file, or at a new one`)
    if (code === 'SQLITE_CORRUPT') throw new DatabaseFileError(`the SQLite file ${file} is corrupt (${oneLine((err as Error).message)}): restore it from a backup, or move it away to start with an empty database`)
    throw new DatabaseFileError(`the SQLite file ${file} cannot be opened: ${oneLine((err as Error).message)}`)
  } finally {
    db?.close()
  }
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim()
