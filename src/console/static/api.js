// GraphQL over HTTP and subscriptions (graphql-transport-ws, written out: it is small).
const TOKEN_KEY = 'nodeplan.token'

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
}

const CLUSTER_KEY = 'nodeplan.cluster'

/** The cluster the pages show and plan for (with several); null: the server's only one. */
export const cluster = {
  get: () => sessionStorage.getItem(CLUSTER_KEY),
  set: (value) => (value ? sessionStorage.setItem(CLUSTER_KEY, value) : sessionStorage.removeItem(CLUSTER_KEY)),
}

export class ApiError extends Error {
  constructor(message, code) {
    super(message)
    this.code = code
  }
}

export async function gql(query, variables = {}) {
  const headers = { 'content-type': 'application/json' }
  const t = token.get()
  if (t) headers.authorization = `Bearer ${t}`
  const res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) })
  const body = await res.json()
  if (body.errors?.length) throw new ApiError(body.errors[0].message, body.errors[0].extensions?.code ?? 'UNKNOWN')
  return body.data
}

/** Calls onEvent for each change of the plan as it is applied; onDone when the server completes. Returns a stop function. */
export function followPlan(planId, onEvent, onDone) {
  return subscribe('subscription($id: ID!) { planProgress(id: $id) { index change { address node action applied error } } }', { id: planId },
    (data) => onEvent(data.planProgress), onDone)
}

/** One subscription: onData for each result, onDone once when it completes, fails or its socket closes. Returns a stop function. */
export function subscribe(query, variables, onData, onDone) {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`, 'graphql-transport-ws')
  const t = token.get()
  let over = false
  const end = () => { if (!over) { over = true; onDone?.() } }
  ws.onopen = () => ws.send(JSON.stringify({ type: 'connection_init', payload: t ? { Authorization: `Bearer ${t}` } : {} }))
  ws.onmessage = (message) => {
    const msg = JSON.parse(message.data)
    if (msg.type === 'connection_ack') {
      ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }))
    } else if (msg.type === 'ping') {
      ws.send(JSON.stringify({ type: 'pong' }))
    } else if (msg.type === 'next' && msg.payload.data) {
      onData(msg.payload.data)
    } else if (msg.type === 'complete' || msg.type === 'error') {
      ws.close()
      end()
    }
  }
  ws.onclose = end
  return () => { over = true; ws.close() }
}
