// The composition point of the persistence adapter: a database URL in, migrated repositories out.
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import type { ApplyLeases } from '../../app/apply-lease.js'
import type { AuditRepository, Clock, HealthSignalRepository, OutboxRepository, PlanRepository, PlanWrites } from '../../app/ports.js'
import type { Logger } from '../../logger.js'
import { redactUrl } from '../../redact-url.js'
import { systemClock } from '../../app/system-clock.js'
import { NodeplanError } from '../../domain/errors.js'
import { PrismaClient } from '../../generated/prisma/client.js'
import { PrismaClient as PgPrismaClient } from '../../generated/prisma-pg/client.js'
import { PrismaApplyLeases } from './apply-lease.repository.js'
import { ChainSeal, GENESIS_HASH } from './audit-chain.js'
import { sealHead, type SealOutcome } from './audit-seal.js'
import { PrismaAuditRepository } from './audit.repository.js'
import { PrismaHealthSignalRepository } from './health-signal.repository.js'
import { applyMigrations } from './migrate.js'
import { checkSqliteFile } from './sqlite-file-check.js'
import { PrismaOutboxRepository } from './outbox.repository.js'
import { PrismaPlanRepository } from './plan.repository.js'
import { PlanWriteSignal } from './plan-writes.js'
import { PrismaRolloutRepository } from './rollout.repository.js'
import type { RolloutRepository } from '../../app/rollout-ports.js'
import { useChainSeal, type Db } from './write-transaction.js'

export interface Database {
  plans: PlanRepository
  audit: AuditRepository
  /** Prompts that a plan was written, by this replica or another. */
  planWrites: PlanWrites
  /** Which replica applies which plan (several replicas on PostgreSQL). */
  leases: ApplyLeases
  /** Runs an apply's statements once in a rolled-back transaction, so the first apply after start finds its queries planned. */
  warmUp(): Promise<void>
  /** Events waiting for webhooks, and how far each webhook got. */
  outbox: OutboxRepository
  /** Health signals reported for nodes (of the default cluster). */
  signals: HealthSignalRepository
  /** Rollouts (issue 21); their writes prompt planWrites under the rollout's id. */
  rollouts: RolloutRepository
  /** One cluster's plans (reads limited to it, new plans stored for it), audit events and signals. */
  forCluster(cluster: string): { plans: PlanRepository; audit: AuditRepository; signals: HealthSignalRepository; leases: ApplyLeases }
  provider: 'sqlite' | 'postgresql'
  /** What start-up found of the audit chain's seal (see audit-seal.ts). */
  auditSeal: SealOutcome
  /** Throws when the database cannot be reached (readiness). */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** Time of plan and audit records; the system clock by default. */
  clock?: Pick<Clock, 'now'>
  /** The audit key (NODEPLAN_AUDIT_KEY); null or absent: a plain SHA-256 chain. */
  auditKey?: string | null
  /** Seal the head again although its seal is broken or was removed (--audit-reseal). */
  auditReseal?: boolean
  /** Where a dropped LISTEN connection (PostgreSQL) is reported. */
  log?: Pick<Logger, 'warn'>
}

/** How long a SQLite writer waits for another connection's write lock before failing. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000


/** The SQLite file a URL names: `file:./x.db`, `file:/abs/x.db` or a bare path; null for other schemes. */
export function sqlitePath(url: string): string | null {
  if (url.startsWith('file:')) return url.slice('file:'.length).replace(/^\/\/(?=\/)/, '')
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return null
  return url
}

/**
 * Opens `file:./path.db` (or a bare path) as SQLite, `postgres://` / `postgresql://` with the pg
 * driver, applies the committed migrations, and returns the repositories.
 */
export async function openDatabase(url: string, options: DatabaseOptions = {}): Promise<Database> {
  const clock = options.clock ?? systemClock
  if (/^postgres(ql)?:\/\//i.test(url)) {
    await applyMigrations('postgresql', new PrismaPg({ connectionString: url }))
    // One model serves both providers: the clients differ in type only, never in the queries used here.
    const db = new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as Db
    return finish(db, 'postgresql', clock, options, new PlanWriteSignal('postgresql', url, options.log))
  }
  const path = sqlitePath(url)
  if (path === null || path === '') {
    throw new NodeplanError('BAD_USER_INPUT', `database URL "${redactUrl(url)}": use file:./path.db (SQLite) or postgresql://user:password@host:5432/db`)
  }
  if (path === ':memory:') {
    throw new NodeplanError('BAD_USER_INPUT', 'database URL "file::memory:": the migrator and the service use separate connections, so use a file (a temp dir in tests)')
  }
  const file = resolve(path)
  mkdirSync(dirname(file), { recursive: true })
  checkSqliteFile(file)
  await applyMigrations('sqlite', new PrismaBetterSqlite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS }))
  const db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS }) })
  // WAL: readers never wait for the writer. synchronous=NORMAL is durable across a process crash
  // (kill -9); only an OS crash may lose the last commits.
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL')
  await db.$executeRawUnsafe('PRAGMA synchronous = NORMAL')
  return finish(db, 'sqlite', clock, options, new PlanWriteSignal('sqlite', url, options.log))
}

async function finish(db: Db, provider: Database['provider'], clock: Pick<Clock, 'now'>, options: DatabaseOptions, signal: PlanWriteSignal): Promise<Database> {
  await db.$executeRaw`INSERT INTO "AuditHead" ("id", "seq", "hash") VALUES (1, 0, ${GENESIS_HASH}) ON CONFLICT DO NOTHING`
  useChainSeal(db, new ChainSeal(options.auditKey ?? null))
  const auditSeal = await sealHead(db, clock, { reseal: options.auditReseal ?? false })
  await signal.start()
  const plans = new PrismaPlanRepository(db, clock, signal)
  const audit = new PrismaAuditRepository(db, clock)
  const signals = new PrismaHealthSignalRepository(db, clock)
  const leases = new PrismaApplyLeases(db, clock)
  return {
    auditSeal,
    plans,
    warmUp: () => plans.warmUp(),
    planWrites: signal,
    audit,
    outbox: new PrismaOutboxRepository(db),
    signals,
    rollouts: new PrismaRolloutRepository(db, clock, signal),
    forCluster: (cluster) => ({ plans: plans.forCluster(cluster), audit: audit.forCluster(cluster), signals: signals.forCluster(cluster), leases: leases.forCluster(cluster) }),
    leases,
    provider,
    ping: async () => {
      await db.$queryRaw`SELECT 1`
    },
    close: async () => {
      await signal.close()
      await db.$disconnect()
    },
  }
}

