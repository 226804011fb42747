// The one GraphQL-over-HTTP client the tests use.

export interface GraphQLResponse<T = any> {
  status: number
  data?: T
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[]
  extensions?: Record<string, unknown>
}

/** POSTs a GraphQL request to `${url}/graphql`, with a bearer token when given; the HTTP status rides along. */
export function graphqlClient(url: string) {
  return async <T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    })
    return { ...((await res.json()) as GraphQLResponse<T>), status: res.status }
  }
}

/** The first error's code, for `expect(code(res)).toBe('BAD_USER_INPUT')`. */
export function code(res: GraphQLResponse): string | undefined {
  return res.errors?.[0]?.extensions?.code
}

/** `<HTTP status> ok`, or `<HTTP status> <error codes>`: one cell of an access-control matrix. */
export function outcome(res: GraphQLResponse, field: string): string {
  const codes = [...new Set((res.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE'))]
  if (codes.length === 0) return res.data?.[field] === undefined ? `${res.status} no data` : `${res.status} ok`
  return `${res.status} ${codes.join(',')}`
}
