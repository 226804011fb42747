// Every write goes through one kind of transaction, whose first statement locks the audit
// chain's head row. That single rule gives:
// - SQLite: the write lock is taken at the start (a transaction that read first could not
//   upgrade under a concurrent writer), and the busy timeout covers the wait;
// - PostgreSQL: writes from every replica queue on one row lock, so audit appends form one
//   ordered chain and no two transactions can lock rows in opposite orders.
// Never write outside it: on SQLite the adapter has a single connection and serialises only
// transactions, so a lone UPDATE would run inside whichever transaction is open and roll back with it.
import type { PrismaClient, Prisma } from '../../generated/prisma/client.js'

export type Db = PrismaClient
export type Tx = Prisma.TransactionClient

const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 30_000 }

/** The end of the audit chain as this transaction sees it; appendAuditEvent moves it. */
export interface ChainHead {
  seq: number
  hash: string
}

export function inWriteTransaction<T>(db: Db, work: (tx: Tx, head: ChainHead) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ seq: number | bigint; hash: string }[]>`
      UPDATE "AuditHead" SET "seq" = "seq" WHERE "id" = 1 RETURNING "seq", "hash"`
    if (!row) throw new Error('the audit chain head row is missing (openDatabase creates it)')
    return work(tx, { seq: Number(row.seq), hash: row.hash })
  }, TRANSACTION_OPTIONS)
}
