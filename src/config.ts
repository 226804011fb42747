import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { DEFAULT_POLICY, parsePolicy, type Policy } from './app/policy.js'
import { TokenAuthenticator } from './auth.js'
import type { LogLevel } from './logger.js'

export interface ServeConfig {
  host: string
  port: number
  databaseUrl: string
  kubeconfigPath: string | null
  tokensFile: string | null
  auth: TokenAuthenticator | null
  policyFile: string | null
  policy: Policy
  logLevel: LogLevel
  /** Nodes one apply writes at once. */
  applyParallelism: number
  /** How long SIGTERM waits for requests in flight before closing anyway. */
  shutdownGraceMs: number
  /** The Kubernetes Lease whose holder runs the node lifecycle, and how long it lasts unrenewed. */
  leaderLease: { namespace: string; name: string; seconds: number }
  /** How long a plan's apply lease lasts unrenewed: how soon another replica finishes a dead one's apply. */
  applyLeaseSeconds: number
  /** How often the leader looks for nodes NotReady past the policy's grace time. */
  downtimeCheckSeconds: number
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
        tokens: { type: 'string' },
        policy: { type: 'string' },
        'log-level': { type: 'string' },
        'apply-parallelism': { type: 'string' },
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

  const policyFile = str('policy', 'NODEPLAN_POLICY_FILE') ?? null
  let policy = DEFAULT_POLICY
  if (policyFile) {
    try {
      policy = parsePolicy(JSON.parse(readFileSync(policyFile, 'utf8')), `policy file ${policyFile}`)
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
    host,
    port: Number(portText),
    databaseUrl,
    kubeconfigPath: str('kubeconfig', 'KUBECONFIG') ?? null,
    tokensFile,
    auth,
    policyFile,
    policy,
    logLevel,
    applyParallelism: Number(parallelismText),
    shutdownGraceMs: 10_000,
    leaderLease: { namespace: leaseNamespace, name: 'nodeplan-leader', seconds: seconds('NODEPLAN_LEADER_LEASE_SECONDS', 15, 1, 300) },
    applyLeaseSeconds: seconds('NODEPLAN_APPLY_LEASE_SECONDS', 30, 1, 3600),
    downtimeCheckSeconds: seconds('NODEPLAN_DOWNTIME_CHECK_SECONDS', 10, 0.1, 3600),
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@')
}
