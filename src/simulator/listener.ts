// The simulator's HTTPS listener, which can be taken off the network and brought back on the same
// port: 'refuse' stops listening (connections are refused), 'hang' accepts connections and never
// answers (clients time out). Either way the open connections, watches included, are cut.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type Server } from 'node:https'
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export type OutageMode = 'refuse' | 'hang'
export const OUTAGE_MODES: readonly OutageMode[] = ['refuse', 'hang']

export class SimListener {
  private readonly server: Server
  private port = 0
  private host = '127.0.0.1'
  private mode: OutageMode | null = null
  /** While hanging: the plain TCP server holding the port, and the sockets it holds. */
  private black: NetServer | null = null
  private readonly held = new Set<Socket>()

  constructor(tls: { key: string; cert: string }, handler: (req: IncomingMessage, res: ServerResponse) => void) {
    this.server = createHttpsServer(tls, handler)
    this.server.keepAliveTimeout = 30_000
  }

  async listen(port: number, host: string): Promise<number> {
    this.host = host
    await listenOn(this.server, port, host)
    this.port = (this.server.address() as AddressInfo).port
    return this.port
  }

  outage(): OutageMode | null {
    return this.mode
  }

  /** Takes the API server off the network until `comeBack`; a second call may change the mode. */
  async goDown(mode: OutageMode): Promise<void> {
    if (this.mode === mode) return
    await this.comeBack()
    this.mode = mode
    await this.stop()
    if (mode === 'hang') {
      this.black = createNetServer((socket) => {
        this.held.add(socket)
        socket.on('close', () => this.held.delete(socket))
        socket.on('error', () => {})
        socket.pause()
      })
      await listenOn(this.black, this.port, this.host)
    }
  }

  async comeBack(): Promise<void> {
    if (!this.mode) return
    if (this.black) {
      const black = this.black
      this.black = null
      for (const socket of this.held) socket.destroy()
      await new Promise<void>((resolve) => black.close(() => resolve()))
    }
    this.mode = null
    await listenOn(this.server, this.port, this.host)
  }

  async close(): Promise<void> {
    if (this.black) {
      for (const socket of this.held) socket.destroy()
      await new Promise<void>((resolve) => this.black!.close(() => resolve()))
      this.black = null
    }
    if (this.server.listening) await this.stop()
  }

  private stop(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }
}

function listenOn(server: NetServer, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (e: Error) => reject(e)
    server.once('error', fail)
    server.listen(port, host, () => {
      server.off('error', fail)
      resolve()
    })
  })
}
