// Generated hostile requests for the fuzz tests: a seeded PRNG picks malformed documents, wrong
// types, huge strings and lists, invalid Kubernetes names, unicode, deep nesting, aliases and
// fragments that amplify cost, oversized bodies, wrong content types, GET mutations and batches.
// Every mutation is built to be refused (a bad name, a bad reason or an unknown plan id rides in
// its variables, which syntax damage to the document cannot repair), so nothing may be stored.
import { TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

export interface HostileCase {
  kind: string
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  headers: Record<string, string>
  /** Query string for GET. */
  search?: string
  body?: string
  /** Only reads may succeed; a mutation that answers with data is a failure. */
  read: boolean
}

export const CONTRACT_CODES = ['BAD_USER_INPUT', 'NOT_FOUND', 'PLAN_STALE', 'PLAN_NOT_APPLICABLE', 'LOCKED', 'LAST_SYSTEM_NODE', 'APPROVAL_REQUIRED', 'UNAUTHENTICATED', 'FORBIDDEN', 'KUBERNETES_UNAVAILABLE']

export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const UNICODE = ['é', 'ß', '漢字', '🙂', '\u202e', '\u0000', '\ufeff', '\u200b', 'Ω', '\ud83d', '\udc00', 'ﬀ', 'İ', '\n', '\t', '"', '\\', '{', '$']
const JUNK = '{}()[]:$@!."\\#&|=,…'

export function hostileCases(seed: number, count: number): HostileCase[] {
  const r = prng(seed)
  const int = (n: number) => Math.floor(r() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
  const str = (n: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-') => Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('')
  const unicode = (n: number) => Array.from({ length: n }, () => pick(UNICODE)).join('')

  const invalidName = () =>
    pick([
      () => '',
      () => ' ',
      () => 'GPU-1',
      () => '-gpu-1',
      () => 'gpu-1-',
      () => 'gpu_1',
      () => 'gpu 1',
      () => '../../etc/passwd',
      () => 'gpu-1; rm -rf /',
      () => `gpu-1\u0000`,
      () => 'a'.repeat(254),
      () => 'a.'.repeat(200),
      () => `gpu-${unicode(3)}`,
      () => unicode(1 + int(20)),
      () => str(300 + int(100_000)),
      () => `${str(5)}..${str(5)}`,
    ])()
  const unknownName = () => `no-such-${str(8)}`
  const badNodes = (): unknown =>
    pick([
      () => [],
      () => [invalidName()],
      () => ['gpu-1', invalidName()],
      () => ['gpu-1', 'gpu-1'],
      () => [unknownName()],
      () => Array.from({ length: 1000 + int(20_000) }, (_, i) => pick(['GPU-', 'gpu_', '-', 'é', '']) + i),
      () => Array.from({ length: 2000 + int(5000) }, (_, i) => `no-such-${i}`),
    ])()
  const goodReason = () => pick(['maintenance', 'CHG-1 PSU', unicode(10) + 'x'])
  const badReason = () => pick(['', '   ', '\n\t', 'x'.repeat(1001 + int(200_000)), unicode(1001 + int(2000))])
  const wrongType = (): unknown => pick([5, -1, 1.5, true, null, {}, { a: 1 }, [[['x']]], 'x'.repeat(int(1000)), 2 ** 53, -(2 ** 31) - 1, '1e9'])
  const anyId = () => pick([`plan-${str(12)}`, '', unicode(5), str(10_000), '0', "' OR 1=1 --", '../plan-1'])

  /** A refused mutation: document, variables. */
  const refusedMutation = (): { query: string; variables: Record<string, unknown> } => {
    const nodesKind = pick(['planDrain', 'planUndrain', 'planDecommission', 'planRejoin'])
    return pick([
      () => {
        const badInNodes = r() < 0.5
        const input = { nodes: badInNodes ? badNodes() : ['gpu-1'], reason: badInNodes ? goodReason() : badReason() }
        return { query: `mutation($input: PlanNodesInput!) { ${nodesKind}(input: $input) { id status } }`, variables: { input } }
      },
      () => ({
        query: `mutation($input: PlanNodesInput!) { ${nodesKind}(input: $input) { id } }`,
        variables: { input: { nodes: r() < 0.5 ? wrongType() : [wrongType()], reason: r() < 0.5 ? wrongType() : badReason() } },
      }),
      () => ({
        query: `mutation($input: PlanRelabelInput!) { planRelabel(input: $input) { id } }`,
        variables: {
          input: pick([
            { node: invalidName(), roles: ['SYSTEM'], reason: goodReason() },
            { node: 'gpu-1', roles: ['SYSTEM', 'SYSTEM'], reason: goodReason() },
            { node: 'gpu-1', roles: [pick(['ROOT', 'system', '', unicode(4)])], reason: goodReason() },
            { node: 'gpu-1', roles: ['SYSTEM'], reason: badReason() },
            { node: unknownName(), roles: ['GPU_WORKER'], reason: goodReason() },
          ]),
        },
      }),
      () => ({ query: `mutation($id: ID!, $reason: String!) { planRollback(planId: $id, reason: $reason) { id } }`, variables: { id: anyId(), reason: pick([goodReason(), badReason()]) } }),
      () => ({ query: `mutation($id: ID!) { ${pick(['applyPlan', 'approvePlan', 'discardPlan'])}(id: $id) { id status } }`, variables: { id: r() < 0.8 ? anyId() : wrongType() } }),
      () => ({
        query: `mutation($ttl: Int, $d: String) { createJoinCommand(ttlHours: $ttl, description: $d) { tokenId } }`,
        variables: { ttl: pick([0, -1, 169, 2 ** 31 - 1, 2 ** 40, '24', 1.5, 10_000]), d: pick([null, unicode(20), 'x'.repeat(int(100_000))]) },
      }),
    ])()
  }

  const read = (): { query: string; variables: Record<string, unknown> } =>
    pick([
      () => ({ query: `{ nodes { name gpus draining labels { key value } } }`, variables: {} }),
      () => ({ query: `query($f: NodeFilter) { nodes(filter: $f) { name } }`, variables: { f: pick([{ nameContains: unicode(5) }, { roles: ['SYSTEM'] }, { draining: true }, { nameContains: str(100_000) }]) } }),
      () => ({ query: `query($n: String!) { node(name: $n) { name workloads { name } } }`, variables: { n: pick(['gpu-1', invalidName(), unknownName()]) } }),
      () => ({ query: `query($first: Int) { plans(first: $first) { totalCount edges { node { id status } } } }`, variables: { first: pick([1, 20, 0, -1, 501, 2 ** 31 - 1, 100]) } }),
      () => ({ query: `query($first: Int, $after: String) { auditEvents(first: $first, after: $after) { totalCount } }`, variables: { first: pick([1, 500, 501, -5]), after: pick([null, str(10), unicode(4), 'MTA=', str(50_000)]) } }),
      () => ({ query: `query($id: ID!) { plan(id: $id) { id diff } }`, variables: { id: anyId() } }),
      () => ({ query: `{ systemNodes { ready nodes warning } }`, variables: {} }),
      () => ({ query: `query($f: AuditFilter) { auditEvents(filter: $f, first: 5) { totalCount } }`, variables: { f: pick([{ since: 'yesterday' }, { since: '2026-01-01T00:00:00Z' }, { node: invalidName() }, { until: 12 }]) } }),
    ])()

  const damage = (doc: string): string =>
    pick([
      () => doc.slice(0, int(doc.length)),
      () => {
        const at = int(doc.length)
        return doc.slice(0, at) + doc.slice(at + 1)
      },
      () => {
        const at = int(doc.length)
        return doc.slice(0, at) + pick([...JUNK]) + doc.slice(at)
      },
      () => {
        const at = int(doc.length)
        return doc.slice(0, at) + unicode(1 + int(3)) + doc.slice(at)
      },
      () => doc.replace(/\{/g, () => (r() < 0.2 ? '' : '{')),
      () => doc + '}'.repeat(1 + int(3)),
      () => doc.replace(/[a-z]+/, (w) => w.toUpperCase()),
      () => doc.replace('$', '$$'),
    ])()

  const amplified = (): string =>
    pick([
      () => `{ ${Array.from({ length: 10 + int(3000) }, (_, i) => `a${i}: nodes { name workloads { name gpus } }`).join(' ')} }`,
      () => `{ ${Array.from({ length: 5 + int(50) }, (_, i) => `p${i}: plans(first: ${pick([20, 100, 500])}) { edges { node { id changes { node } } } }`).join(' ')} }`,
      () => `{ ${'nodes { name } '.repeat(100 + int(20_000))} }`,
      () => {
        const levels = 5 + int(60)
        let doc = '{ ...F0 }\n'
        for (let i = 0; i < levels; i++) doc += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }\n`
        return doc + `fragment F${levels} on Query { ${pick(['__typename', 'systemNodes { ready }', 'nodes { name }'])} }`
      },
      () => `{ ...A }\nfragment A on Query { ...B }\nfragment B on Query { ...A }`,
      () => {
        const n = 8 + int(40)
        return `{ plans { edges { node { ${'rollbackOf { '.repeat(n)}id${' }'.repeat(n)} } } } }`
      },
      () => '{' + 'a{'.repeat(100 + int(50_000)) + 'b' + '}'.repeat(50),
      () => `query ${str(5)} { ${'__schema { types { fields { type { ofType { ofType { name } } } } } } '.repeat(1 + int(5))} }`,
      () => `{ nodes(filter: {${Array.from({ length: 1 + int(2000) }, () => 'draining: true').join(', ')}}) { name } }`,
      () => `{ ${Array.from({ length: 1 + int(500) }, (_, i) => `... on Query @include(if: ${i % 2 === 0}) { n${i}: systemNodes { ready } }`).join(' ')} }`,
    ])()

  const jsonPost = (body: string, read: boolean, kind: string, token: string = TEST_TOKENS.admin): HostileCase => ({
    kind,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
    read,
  })

  const generators: [number, () => HostileCase][] = [
    [10, () => {
      const m = refusedMutation()
      return jsonPost(JSON.stringify(m), false, 'refused mutation')
    }],
    [10, () => {
      const m = r() < 0.5 ? refusedMutation() : read()
      return jsonPost(JSON.stringify({ ...m, query: damage(m.query) }), !m.query.startsWith('mutation'), 'damaged syntax')
    }],
    [8, () => jsonPost(JSON.stringify(read()), true, 'read with hostile variables')],
    [6, () => jsonPost(JSON.stringify({ query: amplified() }), true, 'amplified or deep')],
    [4, () => {
      const m = refusedMutation()
      const pre = r() < 0.5
      return { kind: 'GET mutation', method: 'GET', headers: { authorization: `Bearer ${TEST_TOKENS.admin}`, ...(pre ? { 'apollo-require-preflight': 'true' } : {}) }, search: `?query=${encodeURIComponent(m.query)}&variables=${encodeURIComponent(JSON.stringify(m.variables))}`, read: false }
    }],
    [3, () => {
      // A real, acceptable mutation sent the way a cross-site form or a simple fetch could: must be refused.
      const body = JSON.stringify({ query: `mutation { planDrain(input: {nodes: ["gpu-2"], reason: "csrf"}) { id } }` })
      const type = pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''])
      return { kind: 'simple content type', method: 'POST', headers: { ...(type ? { 'content-type': type } : {}), authorization: `Bearer ${TEST_TOKENS.admin}` }, body, read: false }
    }],
    [2, () => {
      const GET = r() < 0.3
      return {
        kind: 'GET mutation, no preflight',
        method: 'GET',
        headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
        search: `?query=${encodeURIComponent(`mutation { planDrain(input: {nodes: ["gpu-2"], reason: "csrf"}) { id } }`)}${GET ? '&operationName=' : ''}`,
        read: false,
      }
    }],
    [3, () => jsonPost(JSON.stringify(Array.from({ length: 1 + int(50) }, () => (r() < 0.5 ? read() : refusedMutation()))), false, 'batch')],
    [2, () => jsonPost(JSON.stringify({ query: `mutation { planDrain(input: {nodes: ["gpu-2"], reason: "${'x'.repeat(1000)}"}) { id } }`, padding: 'x'.repeat(1024 * 1024) }), false, 'over 1 MiB')],
    [5, () =>
      jsonPost(
        pick([
          '',
          'null',
          '"x"',
          '5',
          '{',
          '{"query":',
          '{"query": 5}',
          '{"query":"{ nodes { name } }","variables":"{}"}',
          '{"query":"{ nodes { name } }","variables":[1]}',
          '{"query":"{__typename}","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}',
          '{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"' + 'a'.repeat(64) + '"}}}',
          '{"query":"query A {__typename} query B {__typename}"}',
          '{"query":"{__typename}","operationName":"' + unicode(3) + '"}',
          '{"query":"{__typename}","operationName":5}',
          '{"query":"query($n: [String!]!) { __typename }","variables":{"n":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}}',
          '{"query":"mutation($i: PlanNodesInput!) { planDrain(input: $i) { id } }","variables":{"i":' + '{"nodes":'.repeat(20_000) + '1' + '}'.repeat(20_000) + '}}',
          '\u0000\u0001\u0002',
          '{"query":"\\ud800"}',
          '{"__proto__":{"query":"mutation { planDrain(input: {nodes: [\\"gpu-2\\"], reason: \\"proto\\"}) { id } }"}}',
          '{"query":"mutation($i: PlanNodesInput!) { planDrain(input: $i) { id } }","variables":{"i":{"nodes":["gpu-2"],"reason":"x","__proto__":{"reason":""}},"constructor":{"prototype":{"x":1}}}}',
        ]),
        false,
        'malformed body',
      )],
    [3, () => {
      const m = r() < 0.5 ? refusedMutation() : { query: `mutation { planDrain(input: {nodes: ["gpu-2"], reason: "auth"}) { id } }`, variables: {} }
      const authorization = pick(['', 'Bearer', 'Bearer ', `Bearer ${TEST_TOKENS.admin} x`, `bearer${TEST_TOKENS.admin}`, `Bearer ${Buffer.from(unicode(20).replace(/[\u0000-\u001f]/g, ''), 'utf8').toString('latin1')}`, `Bearer ${str(10_000)}`, `Basic ${Buffer.from('admin:admin').toString('base64')}`])
      return { kind: 'bad credentials', method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify(m), read: false }
    }],
    [1, () => ({ kind: 'wrong method', method: pick(['PUT', 'DELETE'] as const), headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKENS.admin}` }, body: JSON.stringify(read()), read: false })],
  ]
  const total = generators.reduce((sum, [w]) => sum + w, 0)
  const cases: HostileCase[] = []
  for (let i = 0; i < count; i++) {
    let roll = r() * total
    const gen = generators.find(([w]) => (roll -= w) < 0)![1]
    cases.push(gen())
  }
  return cases
}

export interface HostileFailure {
  kind: string
  status: number
  why: string
  request: string
  response: string
}

/** Sends every case (a few at a time) and returns what broke the rules; [] when all held. */
export async function sendHostile(np: Pick<TestNodeplan, 'url'>, cases: HostileCase[], concurrency = 4): Promise<{ failures: HostileFailure[]; statuses: Record<number, number>; timeByKind: Record<string, number>; resets: number }> {
  const failures: HostileFailure[] = []
  const statuses: Record<number, number> = {}
  const timeByKind: Record<string, number> = {}
  let resets = 0
  let next = 0
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!
      const fail = (status: number, why: string, response: string) =>
        failures.push({ kind: c.kind, status, why, request: `${c.method} ${(c.search ?? '').slice(0, 200)} ${(c.body ?? '').slice(0, 300)}`, response: response.slice(0, 300) })
      const started = performance.now()
      let res: Response
      try {
        const send = () => fetch(`${np.url}/graphql${c.search ?? ''}`, { method: c.method, headers: c.headers, body: c.body })
        res = await send().catch((err: Error & { cause?: { code?: string } }) => {
          // A reset, or a kept-alive connection the server closed just as it was reused (undici:
          // "other side closed"), before any answer: counted and retried once (see RELIABILITY.md);
          // twice is a failure.
          if (err.cause?.code !== 'ECONNRESET' && err.cause?.code !== 'UND_ERR_SOCKET') throw err
          resets++
          return send()
        })
      } catch (err) {
        // Node's HTTP parser drops a request line over its header limit (16 KiB) before nodeplan sees it.
        if (c.method === 'GET' && (c.search ?? '').length > 16 * 1024) continue
        fail(0, `no response: ${(err as Error).message} (${String((err as Error & { cause?: unknown }).cause)}; query string ${(c.search ?? '').length} chars)`, '')
        continue
      }
      statuses[res.status] = (statuses[res.status] ?? 0) + 1
      const text = await res.text()
      timeByKind[c.kind] = (timeByKind[c.kind] ?? 0) + performance.now() - started
      // The same limit, answered as 431 Request Header Fields Too Large.
      if (res.status === 431 && c.method === 'GET' && (c.search ?? '').length > 16 * 1024) continue
      if (res.status >= 500) {
        fail(res.status, '5xx', text)
        continue
      }
      let body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] }
      try {
        body = JSON.parse(text)
      } catch {
        fail(res.status, 'not JSON', text)
        continue
      }
      const codes = (body.errors ?? []).map((e) => e.extensions?.code)
      const bad = codes.filter((code) => !CONTRACT_CODES.includes(code as string))
      if (bad.length > 0) fail(res.status, `codes outside the contract: ${bad.join(', ')}`, text)
      else if (!body.errors?.length && !c.read) fail(res.status, 'a request that must be refused was answered', text)
      else if (!body.errors?.length && !body.data) fail(res.status, 'neither data nor errors', text)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { failures, statuses, timeByKind, resets }
}
