// Structured JSON logs, one object per line, written by pino. Secrets never reach here: callers log
// ids, not tokens. The app logs through this port (message first, then fields); an Error under
// `error` is written with its type, message and stack.
import { pino, stdSerializers, stdTimeFunctions, type DestinationStream } from 'pino'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  child(fields: Record<string, unknown>): Logger
}

export function createLogger(options: { level?: LogLevel; write?: (line: string) => void; base?: Record<string, unknown> } = {}): Logger {
  const destination: DestinationStream = options.write ? { write: options.write } : pino.destination({ dest: 1, sync: true })
  return port(
    pino(
      {
        level: options.level ?? 'info',
        base: options.base ?? null,
        timestamp: stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        errorKey: 'error',
        serializers: { error: stdSerializers.err },
      },
      destination,
    ),
  )
}

function port(log: pino.Logger): Logger {
  const at =
    (level: LogLevel) =>
    (msg: string, fields?: Record<string, unknown>): void =>
      fields ? log[level](fields, msg) : log[level](msg)
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (fields) => port(log.child(fields)) }
}

export const silentLogger: Logger = createLogger({ write: () => {} })
