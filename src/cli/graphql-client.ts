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

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let res: Response
    try {
      res = await fetch(`${this.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      })
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause
      throw new GraphQLRequestError(`cannot reach nodeplan at ${this.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, 'UNREACHABLE')
    }
    const text = await res.text()
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
