// A TCP balancer as a Kubernetes Service is one: each new connection goes to the next backend in
// turn, bytes pass through untouched (HTTP keep-alive and websockets stay on their backend). A
// backend that refuses the connection (a killed replica, out of the Endpoints) is skipped.
import net from 'node:net'

export interface Balancer {
  url: string
  /** Connections sent to each backend so far, by backend URL. */
  connections: Map<string, number>
  close(): Promise<void>
}

export async function startRoundRobinBalancer(backends: string[]): Promise<Balancer> {
  const targets = backends.map((b) => new URL(b))
  const connections = new Map(backends.map((b) => [b, 0]))
  const sockets = new Set<net.Socket>()
  let next = 0
  const server = net.createServer((client) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.pause()
    const connect = (tries: number) => {
      const index = next++ % targets.length
      const target = targets[index]!
      const upstream = net.connect(Number(target.port), target.hostname)
      sockets.add(upstream)
      upstream.once('connect', () => {
        connections.set(backends[index]!, (connections.get(backends[index]!) ?? 0) + 1)
        upstream.on('error', () => client.destroy())
        client.on('error', () => upstream.destroy())
        upstream.on('close', () => client.destroy())
        client.on('close', () => upstream.destroy())
        client.pipe(upstream)
        upstream.pipe(client)
        client.resume()
      })
      upstream.once('error', (err) => {
        sockets.delete(upstream)
        if (upstream.connecting || !upstream.readable) {
          if (tries + 1 < targets.length) connect(tries + 1)
          else client.destroy(err)
        }
      })
      upstream.on('close', () => sockets.delete(upstream))
    }
    connect(0)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
