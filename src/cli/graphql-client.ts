// The CLI's GraphQL over HTTP: one POST per operation; errors carry the server's code.
import { terminalSafe } from './terminal-text.js'

export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message)
  }
}

export class GraphQLClient {
  constructor(
    readonly url: string,
    private readonly token: string | null,
    /** forTerminal: every answer passes through terminalSafe before a printer sees it (text output). */
    private readonly options: { forTerminal: boolean } = { forTerminal: true },
  ) {}

  /** `timeoutMs`: a request not answered by then fails as UNREACHABLE (a replica that hangs). */
  async request<T>(query: string, variables: Record<string, unknown> = {}, timeoutMs?: number): Promise<T> {
    let res: Response
    let text: string
    try {
      res = await fetch(`${this.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: JSON.stringify({ query, variables }),
        ...(timeoutMs !== undefined ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
      })
      text = await res.text()
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw new GraphQLRequestError(`${this.url} did not answer within ${timeoutMs} ms`, 'UNREACHABLE')
      const cause = (err as { cause?: { code?: string; message?: string } }).cause
      throw new GraphQLRequestError(`cannot reach nodeplan at ${this.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, 'UNREACHABLE')
    }
    let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] }
    try {
      body = JSON.parse(text)
    } catch {
      throw new GraphQLRequestError(`${this.url}/graphql answered ${res.status} with something that is not JSON`, 'BAD_RESPONSE')
    }
    const error = body.errors?.[0]
    if (error) throw new GraphQLRequestError(error.message, error.extensions?.code ?? 'UNKNOWN')
    if (!body.data) throw new GraphQLRequestError(`${this.url}/graphql answered ${res.status} without data`, 'BAD_RESPONSE')
    return this.options.forTerminal ? terminalSafe(body.data) : body.data
  }
}
