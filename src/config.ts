import { existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { DEFAULT_POLICY, parsePolicy, type Policy } from './app/policy.js'
import { NO_WEBHOOKS, parseWebhooks, type WebhooksConfig } from './app/webhooks-config.js'
import { TokenAuthenticator } from './auth.js'
import { readClustersFile, type ClusterSource } from './clusters-file.js'
import type { LogLevel } from './logger.js'
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

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

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
  const str = (flag: string, envName: string): string | undefined => {
    const v = (values[flag] as string | undefined) ?? env[envName]
    return v === undefined || v === '' ? undefined : v
  }

  const portText = str('port', 'PORT') ?? '8080'
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
    throw new ConfigError(`--port/PORT must be a TCP port from 0 to 65535, got "${portText}"`)
  }

  const databaseUrl = str('database', 'DATABASE_URL') ?? DEFAULT_DATABASE_URL
  if (!/^(file:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError(
      `--database/DATABASE_URL must be a SQLite "file:./path.db" or a "postgresql://user:pass@host:5432/db" URL, got "${redactUrl(databaseUrl)}"`,
    )
  }

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
      policy = parsePolicy(JSON.parse(readFileSync(policyFile, 'utf8')), `policy file ${policyFile}`)
    } catch (err) {
      throw new ConfigError((err as Error).message)
    }
  }

  const webhooksFile = str('webhooks', 'NODEPLAN_WEBHOOKS_FILE') ?? null
  let webhooks = NO_WEBHOOKS
  if (webhooksFile) {
    try {
      webhooks = parseWebhooks(JSON.parse(readFileSync(webhooksFile, 'utf8')), env, `webhooks file ${webhooksFile}`)
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

  const logLevel = (str('log-level', 'LOG_LEVEL') ?? 'info') as LogLevel
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`--log-level/LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)

  const parallelismText = str('apply-parallelism', 'NODEPLAN_APPLY_PARALLELISM') ?? '16'
  if (!/^\d+$/.test(parallelismText) || Number(parallelismText) < 1 || Number(parallelismText) > 256) {
    throw new ConfigError(`--apply-parallelism/NODEPLAN_APPLY_PARALLELISM must be a whole number from 1 to 256, got "${parallelismText}"`)
  }

  const auditKey = readAuditKey(str('audit-key-file', 'NODEPLAN_AUDIT_KEY_FILE'), env.NODEPLAN_AUDIT_KEY)
  const auditReseal = values['audit-reseal'] === true
  if (auditReseal && !auditKey) throw new ConfigError('--audit-reseal needs the audit key (--audit-key-file or NODEPLAN_AUDIT_KEY)')
  const whole = (flag: string, envName: string, fallback: number, min: number, max: number): number => {
    const text = str(flag, envName) ?? String(fallback)
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new ConfigError(`--${flag}/${envName} must be a whole number from ${min} to ${max}, got "${text}"`)
    }
    return Number(text)
  }
  const list = (flag: string, envName: string): string[] | undefined =>
    str(flag, envName)
      ?.split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '')
  const allowedOrigins = (list('allowed-origins', 'NODEPLAN_ALLOWED_ORIGINS') ?? []).map((origin) => {
    let parsed: URL | undefined
    try {
      parsed = new URL(origin)
    } catch {}
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
      throw new ConfigError(`--allowed-origins/NODEPLAN_ALLOWED_ORIGINS takes origins such as "https://portal.example.com" (scheme, host, optional port, no path), got "${origin}"`)
    }
    return parsed.origin
  })
  const hosts = list('allowed-hosts', 'NODEPLAN_ALLOWED_HOSTS')?.map((h) => h.toLowerCase())
  for (const h of hosts ?? []) {
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/.test(h)) {
      throw new ConfigError(`--allowed-hosts/NODEPLAN_ALLOWED_HOSTS takes host names without port, such as "nodeplan.example.com", got "${h}"`)
    }
  }
  const websocketMutations = str('websocket-mutations', 'NODEPLAN_WEBSOCKET_MUTATIONS') ?? 'false'
  if (websocketMutations !== 'true' && websocketMutations !== 'false') {
    throw new ConfigError(`--websocket-mutations/NODEPLAN_WEBSOCKET_MUTATIONS must be true or false, got "${websocketMutations}"`)
  }
  const network: NetworkConfig = {
    // Without tokens every caller is the local admin: only names that resolve to this machine, so
    // that a page whose DNS name is rebound to 127.0.0.1 is refused.
    allowedHosts: auth ? (hosts ?? null) : [...new Set([...LOOPBACK_HOSTS, ...(hosts ?? [])])],
    allowedOrigins,
    websocketMutations: websocketMutations === 'true',
    idleTimeoutMs: whole('idle-timeout-seconds', 'NODEPLAN_IDLE_TIMEOUT_SECONDS', DEFAULT_CONNECTION_LIMITS.idleTimeoutMs / 1000, 1, 3600) * 1000,
    maxConnections: whole('max-connections', 'NODEPLAN_MAX_CONNECTIONS', DEFAULT_CONNECTION_LIMITS.maxConnections, 1, 1_000_000),
    maxConnectionsPerAddress: whole('max-connections-per-address', 'NODEPLAN_MAX_CONNECTIONS_PER_ADDRESS', DEFAULT_CONNECTION_LIMITS.maxConnectionsPerAddress, 1, 1_000_000),
    maxRequestMs: whole('max-request-seconds', 'NODEPLAN_MAX_REQUEST_SECONDS', DEFAULT_REQUEST_BOUNDS.maxRequestMs / 1000, 1, 3600) * 1000,
    maxResponseBytes: whole('max-response-mb', 'NODEPLAN_MAX_RESPONSE_MB', DEFAULT_REQUEST_BOUNDS.maxResponseBytes / 2 ** 20, 1, 4096) * 2 ** 20,
  }
  const seconds = (envName: string, fallback: number, min: number, max: number): number => {
    const text = env[envName] || String(fallback)
    const value = Number(text)
    if (!/^\d+(\.\d+)?$/.test(text) || value < min || value > max) throw new ConfigError(`${envName} must be a number of seconds from ${min} to ${max}, got "${text}"`)
    return value
  }
  const leaseNamespace = env.NODEPLAN_LEADER_LEASE_NAMESPACE || env.POD_NAMESPACE || 'default'
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(leaseNamespace)) {
    throw new ConfigError(`NODEPLAN_LEADER_LEASE_NAMESPACE must be a Kubernetes namespace name, got "${leaseNamespace}"`)
  }

  return {
    network,
    host,
    port: Number(portText),
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
    applyParallelism: Number(parallelismText),
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

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@')
}
