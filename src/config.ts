import { existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { DEFAULT_POLICY, parsePolicy, type Policy } from './app/policy.js'
import { NO_WEBHOOKS, parseWebhooks, type WebhooksConfig } from './app/webhooks-config.js'
import { TokenAuthenticator } from './auth.js'
import { readClustersFile, type ClusterSource } from './clusters-file.js'
import { readJsonFile } from './input-schema.js'
import type { LogLevel } from './logger.js'
import { redactUrl } from './redact-url.js'
import { DEFAULT_CONNECTION_LIMITS } from './server/connection-limits.js'
import { LOOPBACK_HOSTS } from './server/origin-policy.js'
import { DEFAULT_REQUEST_BOUNDS } from './server/request-bounds.js'

export interface ServeConfig {
  host: string
  port: number
  databaseUrl: string
  kubeconfigPath: string | null
  /** The clusters file's clusters, in its order; null without one (one cluster, "default"). */
  clusters: ClusterSource[] | null
  tokensFile: string | null
  auth: TokenAuthenticator | null
  policyFile: string | null
  policy: Policy
  webhooksFile: string | null
  /** Where events go (none without a webhooks file). */
  webhooks: WebhooksConfig
  logLevel: LogLevel
  /** Nodes one apply writes at once. */
  applyParallelism: number
  /** How long SIGTERM waits for requests in flight before closing anyway. */
  shutdownGraceMs: number
  /** Keys the audit chain (HMAC); null: a plain SHA-256 chain, which detects accidental damage only. */
  auditKey: string | null
  /** Seal the audit trail's head again as it stands although its seal does not hold (an operator's one-off act). */
  auditReseal: boolean
  /** Who may reach the server from a browser, and what it accepts per connection and request. */
  network: NetworkConfig
  /** The Kubernetes Lease whose holder runs the node lifecycle, and how long it lasts unrenewed. */
  leaderLease: { namespace: string; name: string; seconds: number }
  /** How long a plan's apply lease lasts unrenewed: how soon another replica finishes a dead one's apply. */
  applyLeaseSeconds: number
  /** How often the leader looks for nodes NotReady past the policy's grace time. */
  downtimeCheckSeconds: number
}

export interface NetworkConfig {
  /** Host header names (without port) accepted; null: any. Without a tokens file, loopback names are always added. */
  allowedHosts: string[] | null
  /** Origins (`https://portal.example.com`) besides the server's own whose pages may call it. */
  allowedOrigins: string[]
  /** Whether mutations are run over GraphQL over WebSocket (off: HTTP POST only). */
  websocketMutations: boolean
  /** A connection that sends nothing (no request yet) for this long is closed. */
  idleTimeoutMs: number
  maxConnections: number
  maxConnectionsPerAddress: number
  /** A query's execution time (mutations run to the end: an apply is not cut short) and one response's size. */
  maxRequestMs: number
  maxResponseBytes: number
}


export class ConfigError extends Error {}

export const DEFAULT_DATABASE_URL = 'file:./.nodeplan/nodeplan.db'

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const satisfies readonly LogLevel[]

/** A number written in a flag or an environment variable: digits only (a point too with `fractions`), from min to max. */
function numberText(min: number, max: number, expected = `must be a whole number from ${min} to ${max}`, { fractions = false } = {}) {
  return z
    .string()
    .regex(fractions ? /^\d+(\.\d+)?$/ : /^\d+$/, expected)
    .transform(Number)
    .pipe(z.number().min(min, expected).max(max, expected))
}

const DATABASE_URL = z.string().regex(/^(file:|postgres(ql)?:\/\/)/, 'must be a SQLite "file:./path.db" or a "postgresql://user:pass@host:5432/db" URL')
const BOOLEAN = z.enum(['true', 'false'], 'must be true or false').transform((v) => v === 'true')
const NAMESPACE = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a Kubernetes namespace name')
const HOST_NAME = z.string().regex(/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/, 'takes host names without port, such as "nodeplan.example.com"')
const ORIGIN = z
  .string()
  .refine((origin) => URL.canParse(origin) && /^https?:$/.test(new URL(origin).protocol) && new URL(origin).origin === origin.replace(/\/$/, ''), {
    error: 'takes origins such as "https://portal.example.com" (scheme, host, optional port, no path)',
  })
  .transform((origin) => new URL(origin).origin)

/** The text as the schema reads it, or a ConfigError naming the setting, what it must be and what it was (a URL's password hidden). */
function checkText<S extends z.ZodType<unknown, string>>(label: string, text: string, schema: S): z.output<S> {
  const result = schema.safeParse(text)
  if (!result.success) throw new ConfigError(`${label} ${result.error.issues[0]!.message}, got "${redactUrl(text)}"`)
  return result.data
}

/** Flags win over environment variables, which win over defaults. Every value is checked here, once. */
export function parseServeConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeConfig {
  let values: Record<string, string | boolean | undefined>
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        database: { type: 'string' },
        kubeconfig: { type: 'string' },
        clusters: { type: 'string' },
        tokens: { type: 'string' },
        policy: { type: 'string' },
        webhooks: { type: 'string' },
        'log-level': { type: 'string' },
        'apply-parallelism': { type: 'string' },
        'audit-key-file': { type: 'string' },
        'audit-reseal': { type: 'boolean' },
        'allowed-hosts': { type: 'string' },
        'allowed-origins': { type: 'string' },
        'websocket-mutations': { type: 'string' },
        'idle-timeout-seconds': { type: 'string' },
        'max-connections': { type: 'string' },
        'max-connections-per-address': { type: 'string' },
        'max-request-seconds': { type: 'string' },
        'max-response-mb': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
  const str = (flag: string | null, envName: string): string | undefined => {
    const v = (flag === null ? undefined : (values[flag] as string | undefined)) ?? env[envName]
    return v === undefined || v === '' ? undefined : v
  }
  /** The setting's text (or the fallback) as the schema reads it; `flag` null: an environment variable only. */
  const setting = <S extends z.ZodType<unknown, string>>(flag: string | null, envName: string, schema: S, fallback: string): z.output<S> =>
    checkText(flag === null ? envName : `--${flag}/${envName}`, str(flag, envName) ?? fallback, schema)

  const port = setting('port', 'PORT', numberText(0, 65535, 'must be a TCP port from 0 to 65535'), '8080')
  const databaseUrl = setting('database', 'DATABASE_URL', DATABASE_URL, DEFAULT_DATABASE_URL)

  const tokensFile = str('tokens', 'NODEPLAN_TOKENS_FILE') ?? null
  let auth: TokenAuthenticator | null = null
  if (tokensFile) {
    try {
      auth = TokenAuthenticator.fromFile(tokensFile)
    } catch (err) {
      throw new ConfigError((err as Error).message)
    }
  }

  const clusters = readClusters(str('clusters', 'NODEPLAN_CLUSTERS_FILE'))

  const policyFile = str('policy', 'NODEPLAN_POLICY_FILE') ?? null
  let policy = DEFAULT_POLICY
  if (policyFile) {
    try {
      policy = parsePolicy(readJsonFile(policyFile, `policy file ${policyFile}`), `policy file ${policyFile}`)
    } catch (err) {
      throw new ConfigError((err as Error).message)
    }
  }

  const webhooksFile = str('webhooks', 'NODEPLAN_WEBHOOKS_FILE') ?? null
  let webhooks = NO_WEBHOOKS
  if (webhooksFile) {
    try {
      webhooks = parseWebhooks(readJsonFile(webhooksFile, `webhooks file ${webhooksFile}`), env, `webhooks file ${webhooksFile}`)
    } catch (err) {
      throw new ConfigError((err as Error).message)
    }
  }

  const host = str('host', 'HOST') ?? (auth ? '0.0.0.0' : '127.0.0.1')
  if (!auth && !isLoopback(host)) {
    throw new ConfigError(
      `refusing to listen on ${host} without authentication: give --tokens/NODEPLAN_TOKENS_FILE, or listen on 127.0.0.1`,
    )
  }

  const logLevel = setting('log-level', 'LOG_LEVEL', z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`), 'info')
  const applyParallelism = setting('apply-parallelism', 'NODEPLAN_APPLY_PARALLELISM', numberText(1, 256), '16')

  const auditKey = readAuditKey(str('audit-key-file', 'NODEPLAN_AUDIT_KEY_FILE'), env.NODEPLAN_AUDIT_KEY)
  const auditReseal = values['audit-reseal'] === true
  if (auditReseal && !auditKey) throw new ConfigError('--audit-reseal needs the audit key (--audit-key-file or NODEPLAN_AUDIT_KEY)')
  const whole = (flag: string, envName: string, fallback: number, min: number, max: number): number =>
    setting(flag, envName, numberText(min, max), String(fallback))
  const list = (flag: string, envName: string): string[] | undefined =>
    str(flag, envName)
      ?.split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '')
  const allowedOrigins = (list('allowed-origins', 'NODEPLAN_ALLOWED_ORIGINS') ?? []).map((origin) =>
    checkText('--allowed-origins/NODEPLAN_ALLOWED_ORIGINS', origin, ORIGIN),
  )
  const hosts = list('allowed-hosts', 'NODEPLAN_ALLOWED_HOSTS')?.map((h) => checkText('--allowed-hosts/NODEPLAN_ALLOWED_HOSTS', h.toLowerCase(), HOST_NAME))
  const websocketMutations = setting('websocket-mutations', 'NODEPLAN_WEBSOCKET_MUTATIONS', BOOLEAN, 'false')
  const network: NetworkConfig = {
    // Without tokens every caller is the local admin: only names that resolve to this machine, so
    // that a page whose DNS name is rebound to 127.0.0.1 is refused.
    allowedHosts: auth ? (hosts ?? null) : [...new Set([...LOOPBACK_HOSTS, ...(hosts ?? [])])],
    allowedOrigins,
    websocketMutations,
    idleTimeoutMs: whole('idle-timeout-seconds', 'NODEPLAN_IDLE_TIMEOUT_SECONDS', DEFAULT_CONNECTION_LIMITS.idleTimeoutMs / 1000, 1, 3600) * 1000,
    maxConnections: whole('max-connections', 'NODEPLAN_MAX_CONNECTIONS', DEFAULT_CONNECTION_LIMITS.maxConnections, 1, 1_000_000),
    maxConnectionsPerAddress: whole('max-connections-per-address', 'NODEPLAN_MAX_CONNECTIONS_PER_ADDRESS', DEFAULT_CONNECTION_LIMITS.maxConnectionsPerAddress, 1, 1_000_000),
    maxRequestMs: whole('max-request-seconds', 'NODEPLAN_MAX_REQUEST_SECONDS', DEFAULT_REQUEST_BOUNDS.maxRequestMs / 1000, 1, 3600) * 1000,
    maxResponseBytes: whole('max-response-mb', 'NODEPLAN_MAX_RESPONSE_MB', DEFAULT_REQUEST_BOUNDS.maxResponseBytes / 2 ** 20, 1, 4096) * 2 ** 20,
  }
  const seconds = (envName: string, fallback: number, min: number, max: number): number =>
    setting(null, envName, numberText(min, max, `must be a number of seconds from ${min} to ${max}`, { fractions: true }), String(fallback))
  const leaseNamespace = setting(null, 'NODEPLAN_LEADER_LEASE_NAMESPACE', NAMESPACE, env.POD_NAMESPACE || 'default')

  return {
    network,
    host,
    port,
    databaseUrl,
    kubeconfigPath: str('kubeconfig', 'KUBECONFIG') ?? null,
    clusters,
    tokensFile,
    auth,
    policyFile,
    policy,
    webhooksFile,
    webhooks,
    logLevel,
    applyParallelism,
    shutdownGraceMs: 10_000,
    auditKey,
    auditReseal,
    leaderLease: { namespace: leaseNamespace, name: 'nodeplan-leader', seconds: seconds('NODEPLAN_LEADER_LEASE_SECONDS', 15, 1, 300) },
    applyLeaseSeconds: seconds('NODEPLAN_APPLY_LEASE_SECONDS', 30, 1, 3600),
    downtimeCheckSeconds: seconds('NODEPLAN_DOWNTIME_CHECK_SECONDS', 10, 0.1, 3600),
  }
}

function readClusters(file: string | undefined): ClusterSource[] | null {
  if (!file) return null
  let clusters: ClusterSource[]
  try {
    clusters = readClustersFile(file)
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
  for (const c of clusters) {
    if (c.kubeconfig && !existsSync(c.kubeconfig)) throw new ConfigError(`clusters file ${file}: cluster "${c.name}": kubeconfig ${c.kubeconfig} does not exist`)
  }
  return clusters
}

export const MIN_AUDIT_KEY_LENGTH = 32

/** The key from --audit-key-file/NODEPLAN_AUDIT_KEY_FILE (one line) or NODEPLAN_AUDIT_KEY (e.g. from a Secret). */
function readAuditKey(file: string | undefined, value: string | undefined): string | null {
  if (file && value) throw new ConfigError('give the audit key once: --audit-key-file/NODEPLAN_AUDIT_KEY_FILE or NODEPLAN_AUDIT_KEY, not both')
  let key = value
  if (file) {
    try {
      key = readFileSync(file, 'utf8').replace(/\r?\n$/, '')
    } catch (err) {
      throw new ConfigError(`audit key file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
  }
  if (key === undefined || key === '') return null
  if (key.length < MIN_AUDIT_KEY_LENGTH) {
    throw new ConfigError(`the audit key must be at least ${MIN_AUDIT_KEY_LENGTH} characters (e.g. openssl rand -hex 32), got ${key.length}`)
  }
  return key
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}
