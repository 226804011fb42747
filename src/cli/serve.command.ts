import { ConfigError, parseServeConfig } from '../config.js'
import { createLogger } from '../logger.js'

export const SERVE_USAGE = `usage: nodeplan serve [--port P] [--host H] [--database URL] [--kubeconfig FILE]
                     [--tokens FILE] [--policy FILE] [--webhooks FILE] [--log-level debug|info|warn|error]
                     [--apply-parallelism N]

environment: PORT, HOST, DATABASE_URL, KUBECONFIG, NODEPLAN_TOKENS_FILE, NODEPLAN_POLICY_FILE, NODEPLAN_WEBHOOKS_FILE,
             LOG_LEVEL,
             NODEPLAN_APPLY_PARALLELISM
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
  let running
  try {
    const { startNodeplan } = await import('../main.js')
    running = await startNodeplan(config, { log })
  } catch (err) {
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
