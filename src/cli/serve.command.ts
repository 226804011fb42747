import { DatabaseFileError } from '../adapters/db/sqlite-file-check.js'
import { ConfigError, parseServeConfig } from '../config.js'
import { createLogger } from '../logger.js'

export const SERVE_USAGE = `usage: nodeplan serve [--port P] [--host H] [--database URL] [--kubeconfig FILE]
                     [--tokens FILE] [--policy FILE] [--webhooks FILE] [--log-level debug|info|warn|error]
                     [--apply-parallelism N] [--audit-key-file FILE] [--audit-reseal]
                     [--allowed-hosts H,...] [--allowed-origins O,...]
                     [--websocket-mutations true|false] [--idle-timeout-seconds S]
                     [--max-connections N] [--max-connections-per-address N]
                     [--max-request-seconds S] [--max-response-mb M]

environment: PORT, HOST, DATABASE_URL, KUBECONFIG, NODEPLAN_TOKENS_FILE, NODEPLAN_POLICY_FILE, NODEPLAN_WEBHOOKS_FILE, LOG_LEVEL,
             NODEPLAN_APPLY_PARALLELISM, NODEPLAN_AUDIT_KEY_FILE, NODEPLAN_AUDIT_KEY,
             NODEPLAN_ALLOWED_HOSTS, NODEPLAN_ALLOWED_ORIGINS,
             NODEPLAN_WEBSOCKET_MUTATIONS, NODEPLAN_IDLE_TIMEOUT_SECONDS, NODEPLAN_MAX_CONNECTIONS,
             NODEPLAN_MAX_CONNECTIONS_PER_ADDRESS, NODEPLAN_MAX_REQUEST_SECONDS, NODEPLAN_MAX_RESPONSE_MB,
             NODEPLAN_APPLY_LEASE_SECONDS (30), NODEPLAN_DOWNTIME_CHECK_SECONDS (10),
             NODEPLAN_LEADER_LEASE_NAMESPACE (else POD_NAMESPACE, else default), NODEPLAN_LEADER_LEASE_SECONDS (15)
`

export async function serveCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(SERVE_USAGE)
    return 0
  }
  let config
  try {
    config = parseServeConfig(argv)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`nodeplan serve: ${err.message}\n\n${SERVE_USAGE}`)
      return 2
    }
    throw err
  }
  const log = createLogger({ level: config.logLevel })
  let running: Awaited<ReturnType<typeof import('../main.js').startNodeplan>> | undefined
  // SIGHUP's default action ends the process: here it means "read the tokens file again".
  process.on('SIGHUP', () => {
    if (!running) return log.info('SIGHUP before the server started: nothing to reload yet')
    if (!running.tokens) return log.info('SIGHUP: no tokens file to reload (--tokens, NODEPLAN_TOKENS_FILE)')
    running.tokens.reload('SIGHUP')
  })
  try {
    const { startNodeplan } = await import('../main.js')
    running = await startNodeplan(config, { log })
  } catch (err) {
    if (err instanceof DatabaseFileError) {
      process.stderr.write(`nodeplan serve: ${err.message}\n`)
      return 1
    }
    log.error('nodeplan could not start', { error: err })
    return 1
  }
  // Listeners stay registered through shutdown: with none left, a library's signal-exit hook
  // would re-raise the signal and kill the process before requests in flight finish.
  let stopping = false
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      if (stopping) return log.debug('already shutting down', { signal })
      stopping = true
      log.info('shutting down: finishing requests in flight', { signal })
      resolve()
    }
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
  })
  await running.close()
  log.info('stopped')
  return 0
}
