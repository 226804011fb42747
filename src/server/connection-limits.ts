// Caps the connections the HTTP server holds, in total and per client address, and closes those
// that send nothing. Without this, tens of thousands of idle sockets from one client exhaust the
// open-file limit and real requests are reset.
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Logger } from '../logger.js'

export interface ConnectionLimits {
  idleTimeoutMs: number
  maxConnections: number
  maxConnectionsPerAddress: number
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { idleTimeoutMs: 15_000, maxConnections: 2000, maxConnectionsPerAddress: 200 }

export type RefusalReason = 'total' | 'per_address'

export interface ConnectionEvents {
  refused(reason: RefusalReason): void
  idleClosed(): void
}

/** Refusals are logged at most this often (with how many since the last line), so a flood does not flood the log. */
const LOG_EVERY_MS = 10_000

export function limitConnections(server: Server, limits: ConnectionLimits, log: Logger, events?: ConnectionEvents): { busy(socket: Socket, delta: 1 | -1): void } {
  const perAddress = new Map<string, number>()
  const inRequest = new Map<Socket, number>()
  const unlogged: Record<RefusalReason, number> = { total: 0, per_address: 0 }
  let lastLogged = 0
  const refused = (reason: RefusalReason, address: string | undefined) => {
    events?.refused(reason)
    unlogged[reason]++
    const now = Date.now()
    if (now - lastLogged < LOG_EVERY_MS) return
    lastLogged = now
    log.warn('connections refused', {
      reason: reason === 'total' ? `over --max-connections ${limits.maxConnections}` : `over --max-connections-per-address ${limits.maxConnectionsPerAddress}`,
      address,
      refusedTotal: unlogged.total,
      refusedPerAddress: unlogged.per_address,
    })
    unlogged.total = unlogged.per_address = 0
  }

  // net.Server closes connections over maxConnections itself and says so with 'drop'.
  server.maxConnections = limits.maxConnections
  server.on('drop', (data?: { remoteAddress?: string }) => refused('total', data?.remoteAddress))
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown'
    const count = (perAddress.get(address) ?? 0) + 1
    if (count > limits.maxConnectionsPerAddress) {
      refused('per_address', address)
      socket.destroy()
      return
    }
    perAddress.set(address, count)
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1
      if (left === 0) perAddress.delete(address)
      else perAddress.set(address, left)
      inRequest.delete(socket)
    })
  })

  // Node arms each socket's inactivity timer with server.timeout (and, between kept-alive
  // requests, keepAliveTimeout); a listener here means Node leaves the decision to us. A request
  // being answered is never cut: an apply may work quietly for minutes before it answers.
  server.timeout = limits.idleTimeoutMs
  server.on('timeout', (socket: Socket) => {
    if (inRequest.has(socket)) return
    events?.idleClosed()
    socket.destroy()
  })

  return {
    busy(socket, delta) {
      const n = (inRequest.get(socket) ?? 0) + delta
      if (n <= 0) inRequest.delete(socket)
      else inRequest.set(socket, n)
    },
  }
}
