// Every write goes through one kind of transaction, whose first statement locks the audit
// chain's head row. That single rule gives:
// - SQLite: the write lock is taken at the start (a transaction that read first could not
//   upgrade under a concurrent writer), and the busy timeout covers the wait;
// - PostgreSQL: writes from every replica queue on one row lock, so audit appends form one
//   ordered chain and no two transactions can lock rows in opposite orders.
// Never write outside it: on SQLite the adapter has a single connection and serialises only
// transactions, so a lone UPDATE would run inside whichever transaction is open and roll back with it.
import type { PrismaClient, Prisma } from '../../generated/prisma/client.js'
import { ChainSeal } from './audit-chain.js'

export type Db = PrismaClient
export type Tx = Prisma.TransactionClient

const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 30_000 }

/** The end of the audit chain as this transaction sees it; appendAuditEvent moves it. */
export interface ChainHead {
  seq: number
  hash: string
  /** The head row's MAC as this transaction found it. */
  mac: string | null
  /** Whether that MAC held (with a key): an append re-seals the new head only if the old one was sealed. */
  sealed: boolean
  seal: ChainSeal
}

const UNKEYED = new ChainSeal(null)
/** The seal of each opened database (openDatabase registers it), so every writer uses the same key. */
const seals = new WeakMap<Db, ChainSeal>()

export function useChainSeal(db: Db, seal: ChainSeal): void {
  seals.set(db, seal)
}

export function chainSealOf(db: Db): ChainSeal {
  return seals.get(db) ?? UNKEYED
}

export function inWriteTransaction<T>(db: Db, work: (tx: Tx, head: ChainHead) => Promise<T>): Promise<T> {
  const seal = chainSealOf(db)
  return db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ seq: number | bigint; hash: string; mac: string | null }[]>`
      UPDATE "AuditHead" SET "seq" = "seq" WHERE "id" = 1 RETURNING "seq", "hash", "mac"`
    if (!row) throw new Error('the audit chain head row is missing (openDatabase creates it)')
    const seq = Number(row.seq)
    return work(tx, { seq, hash: row.hash, mac: row.mac, sealed: seal.headMacHolds(seq, row.hash, row.mac), seal })
  }, TRANSACTION_OPTIONS)
}

/**
 * The head row's new values once `head` moved. A head that was not sealed when the transaction
 * began keeps its old MAC, which does not hold for the new end either: an append never blesses a
 * head someone moved behind nodeplan's back.
 */
export function headRow(head: ChainHead): { seq: number; hash: string; mac: string | null } {
  return { seq: head.seq, hash: head.hash, mac: head.sealed ? head.seal.headMac(head.seq, head.hash) : head.mac }
}
