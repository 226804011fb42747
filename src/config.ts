import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { DEFAULT_POLICY, parsePolicy, type Policy } from './app/policy.js'
import { NO_WEBHOOKS, parseWebhooks, type WebhooksConfig } from './app/webhooks-config.js'
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
  webhooksFile: string | null
  /** Where events go (none without a webhooks file). */
  webhooks: WebhooksConfig
  logLevel: LogLevel
  /** Nodes one apply writes at once. */
  applyParallelism: number
  /** How long SIGTERM waits for requests in flight before closing anyway. */
  shutdownGraceMs: number
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
        webhooks: { type: 'string' },
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

  return {
    host,
    port: Number(portText),
    databaseUrl,
    kubeconfigPath: str('kubeconfig', 'KUBECONFIG') ?? null,
    tokensFile,
    auth,
    policyFile,
    policy,
    webhooksFile,
    webhooks,
    logLevel,
    applyParallelism: Number(parallelismText),
    shutdownGraceMs: 10_000,
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@')
}
