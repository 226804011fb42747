// Follows a plan's progress over graphql-ws (the planProgress subscription), and any other subscription.
import { createClient } from 'graphql-ws'
import { WebSocket } from 'ws'

export interface ProgressEvent {
  planId: string
  index: number
  change: { address: string; node: string; action: string; applied: boolean; error: string | null }
  /** Set while the change is being retried (the Kubernetes API failing), with `attempt` and `retryingUntil`. */
  retrying?: string | null
  attempt?: number | null
  retryingUntil?: string | null
}

export interface ProgressFollower {
  /** Resolves when the subscription completes, or fails (the caller then falls back to the plan). */
  done: Promise<void>
  stop(): Promise<void>
}

const QUERY = `subscription($id: ID!) { planProgress(id: $id) { planId index attempt retrying retryingUntil change { address node action applied error } } }`

export function followProgress(url: string, token: string | null, planId: string, onEvent: (event: ProgressEvent) => void): ProgressFollower {
  // The server replays changes recorded before the subscription arrives, so it may start after the apply.
  return subscribe<{ planProgress: ProgressEvent }>(url, token, QUERY, { id: planId }, (data) => onEvent(data.planProgress))
}

/** One subscription over graphql-ws: `done` resolves when it completes or fails. */
export function subscribe<T>(url: string, token: string | null, query: string, variables: Record<string, unknown>, onData: (data: T) => void): ProgressFollower {
  // Its sockets, so stop() can cut one whose handshake never completes (a replica hung).
  const sockets = new Set<WebSocket>()
  class TrackedWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args)
      sockets.add(this)
    }
  }
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: TrackedWebSocket,
    connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  })
  const done = new Promise<void>((resolve) => {
    client.subscribe<T>({ query, variables }, { next: (v) => v.data && onData(v.data as T), error: () => resolve(), complete: () => resolve() })
  })
  return {
    done,
    stop: async () => {
      for (const socket of sockets) if (socket.readyState === WebSocket.CONNECTING) socket.terminate()
      // Disposing a client whose socket never opened rejects with that socket's error: nothing to report.
      await Promise.resolve(client.dispose()).catch(() => {})
    },
  }
}
