import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../support/eventually.js'
import { code, startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

const NODES = `query($filter: NodeFilter) {
  nodes(filter: $filter) {
    name roles ready notReadySince unschedulable draining gpus gpusInUse
    taints { key value effect }
    labels { key value }
    workloads { namespace name kind relocation project gpus pods }
  }
}`

describe('inventory over GraphQL against the simulated cluster', () => {
  let np: TestNodeplan

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
  })
  afterAll(async () => {
    await np?.close()
  })

  it('lists every node of the cluster with its roles, GPUs and workloads', async () => {
    const res = await np.gql(NODES, {}, TEST_TOKENS.viewer)
    expect(res.errors).toBeUndefined()
    const nodes = res.data.nodes as any[]
    expect(nodes.map((n) => n.name)).toEqual(['cpu-1', 'cpu-2', 'gpu-1', 'gpu-2', 'gpu-3', 'gpu-4', 'gpu-5', 'gpu-6', 'sys-1', 'sys-2'])
    expect(nodes.filter((n) => n.roles.includes('SYSTEM')).map((n) => n.name)).toEqual(['sys-1', 'sys-2'])
    expect(nodes.filter((n) => n.roles.includes('GPU_WORKER'))).toHaveLength(6)
    for (const n of nodes.filter((n) => n.roles.includes('GPU_WORKER'))) expect(n.gpus).toBe(8)
    expect(nodes.every((n) => n.ready && n.notReadySince === null && !n.draining)).toBe(true)

    const gpuWorkloads = nodes.filter((n) => n.roles.includes('GPU_WORKER')).flatMap((n) => n.workloads)
    const kinds = new Set(gpuWorkloads.map((w: any) => w.kind))
    expect(kinds).toContain('TRAINING')
    expect(kinds).toContain('INTERACTIVE')
    expect(kinds).toContain('SYSTEM')
    const training = gpuWorkloads.find((w: any) => w.kind === 'TRAINING')
    expect(training.relocation).toBe('AUTOMATIC')
    expect(training.project).toBeTruthy()
    const interactive = gpuWorkloads.find((w: any) => w.kind === 'INTERACTIVE')
    expect(interactive.relocation).toBe('MANUAL')
    for (const n of nodes) {
      const used = n.workloads.reduce((sum: number, w: any) => sum + w.gpus, 0)
      expect(n.gpusInUse).toBe(used)
    }
  })

  it('matches what the Kubernetes API reports for every node', async () => {
    const { KubeConfig, CoreV1Api } = await import('@kubernetes/client-node')
    const kc = new KubeConfig()
    kc.loadFromString(np.sim.kubeconfig)
    const list = await kc.makeApiClient(CoreV1Api).listNode()
    const res = await np.gql(NODES, {}, TEST_TOKENS.viewer)
    for (const item of list.items) {
      const mine = (res.data.nodes as any[]).find((n) => n.name === item.metadata!.name)
      expect(mine, item.metadata!.name).toBeDefined()
      expect(Object.fromEntries(mine.labels.map((l: any) => [l.key, l.value]))).toEqual(item.metadata!.labels)
      expect(mine.gpus).toBe(Number(item.status!.allocatable?.['nvidia.com/gpu'] ?? 0))
      expect(mine.taints).toEqual((item.spec!.taints ?? []).map((t) => ({ key: t.key, value: t.value ?? null, effect: t.effect!.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() })))
    }
  })

  it.each([
    ['roles', { roles: ['GPU_WORKER'] }, ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4', 'gpu-5', 'gpu-6']],
    ['roles, any of', { roles: ['SYSTEM', 'CPU_WORKER'] }, ['cpu-1', 'cpu-2', 'sys-1', 'sys-2']],
    ['name', { nameContains: 'SYS' }, ['sys-1', 'sys-2']],
    ['ready false', { ready: false }, []],
    ['draining', { draining: true }, []],
    ['combined', { roles: ['GPU_WORKER'], nameContains: '-1' }, ['gpu-1']],
    ['a label and its value', { labels: [{ key: 'kubernetes.io/hostname', value: 'gpu-3' }] }, ['gpu-3']],
    ['a label with any value, and a role', { labels: [{ key: 'node-role.kubernetes.io/runai-system' }], roles: ['SYSTEM', 'GPU_WORKER'] }, ['sys-1', 'sys-2']],
    ['a label with another value', { labels: [{ key: 'kubernetes.io/hostname', value: 'gpu-3' }, { key: 'kubernetes.io/os', value: 'windows' }] }, []],
  ])('filters by %s', async (_name, filter, expected) => {
    const res = await np.gql(`query($f: NodeFilter) { nodes(filter: $f) { name } }`, { f: filter }, TEST_TOKENS.viewer)
    expect(res.errors).toBeUndefined()
    expect(res.data.nodes.map((n: any) => n.name)).toEqual(expected)
  })

  it('answers one query for all nodes with their workloads from the cache, with no Kubernetes request', async () => {
    const before = np.sim.sim.requests().length
    const res = await np.gql(NODES, {}, TEST_TOKENS.viewer)
    expect(res.data.nodes).toHaveLength(10)
    const during = np.sim.sim.requests().slice(before).filter((r) => r.verb !== 'watch')
    expect(during).toEqual([])
  })

  it('shows a failed node NotReady with notReadySince once the watch delivers it', async () => {
    await np.sim.sim.failNode('cpu-2')
    const node = await eventually(async () => {
      const res = await np.gql(`{ node(name: "cpu-2") { ready notReadySince } }`, {}, TEST_TOKENS.viewer)
      expect(res.data.node.ready).toBe(false)
      return res.data.node
    })
    expect(new Date(node.notReadySince).toString()).not.toBe('Invalid Date')
    const res = await np.gql(`{ nodes(filter: {ready: false}) { name } }`, {}, TEST_TOKENS.viewer)
    expect(res.data.nodes.map((n: any) => n.name)).toEqual(['cpu-2'])
    await np.sim.sim.recoverNode('cpu-2')
    await eventually(async () => {
      const again = await np.gql(`{ node(name: "cpu-2") { ready notReadySince } }`, {}, TEST_TOKENS.viewer)
      expect(again.data.node).toEqual({ ready: true, notReadySince: null })
    })
  })

  it('returns null for a node the cluster does not have', async () => {
    const res = await np.gql(`{ node(name: "nope-1") { name } }`, {}, TEST_TOKENS.viewer)
    expect(res.errors).toBeUndefined()
    expect(res.data.node).toBeNull()
  })

  it.each([
    ['an unknown role', `{ nodes(filter: {roles: [BOSS]}) { name } }`, undefined],
    ['a wrongly typed variable', `query($f: NodeFilter) { nodes(filter: $f) { name } }`, { f: { ready: 'yes' } }],
    ['a name filter longer than a node name can be', `query($f: NodeFilter) { nodes(filter: $f) { name } }`, { f: { nameContains: 'x'.repeat(300) } }],
    ['a label longer than a label can be', `query($f: NodeFilter) { nodes(filter: $f) { name } }`, { f: { labels: [{ key: 'x'.repeat(400) }] } }],
    ['an unknown field', `{ nodes { name colour } }`, undefined],
    ['broken syntax', `{ nodes { name `, undefined],
  ])('refuses %s with BAD_USER_INPUT', async (_name, query, variables) => {
    const res = await np.gql(query, variables, TEST_TOKENS.viewer)
    expect(code(res)).toBe('BAD_USER_INPUT')
    expect(res.data?.nodes ?? null).toBeNull()
  })

  it('names the argument field over its limit, and the limit', async () => {
    const res = await np.gql(`query($f: NodeFilter) { nodes(filter: $f) { name } }`, { f: { labels: [{ key: 'gpu' }, { key: 'x'.repeat(400) }] } }, TEST_TOKENS.viewer)
    expect(code(res)).toBe('BAD_USER_INPUT')
    expect(res.errors![0]!.message).toBe('filter.labels[1].key: must be at most 317 characters (a label key)')
  })

  it('refuses a query nested past the fields limit (each level is a field)', async () => {
    const deep = (n: number) => `{ plans { edges { node { ${'rollbackOf { '.repeat(n)}id${' }'.repeat(n)} } } } }`
    const res = await np.gql(deep(600), {}, TEST_TOKENS.viewer)
    expect(code(res)).toBe('BAD_USER_INPUT')
    expect(res.errors![0]!.message).toMatch(/selects more than 500 fields/)
    expect((await np.gql(deep(20), {}, TEST_TOKENS.viewer)).errors).toBeUndefined()
  })

  it('refuses a query whose aliases multiply its cost past the limit', async () => {
    const aliases = Array.from({ length: 60 }, (_, i) => `a${i}: plans(first: 500) { edges { node { id changes { address } } } }`).join('\n')
    const res = await np.gql(`{ ${aliases} }`, {}, TEST_TOKENS.viewer)
    expect(code(res)).toBe('BAD_USER_INPUT')
    expect(res.errors![0]!.message).toMatch(/costs more than/)
  })

  it.each([
    ['no token', undefined],
    ['an unknown token', 'not-a-known-token-0123456789'],
  ])('refuses a request with %s as UNAUTHENTICATED (401)', async (_name, token) => {
    const res = await np.gql(`{ nodes { name } }`, {}, token)
    expect(res.status).toBe(401)
    expect(code(res)).toBe('UNAUTHENTICATED')
  })

  it('refuses a viewer planning a drain as FORBIDDEN', async () => {
    const res = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-1"], reason: "x"}) { id } }`, {}, TEST_TOKENS.viewer)
    expect(code(res)).toBe('FORBIDDEN')
  })

  it('reports ready on /readyz and alive on /healthz', async () => {
    const ready = await fetch(`${np.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', kubernetes: 'ok', cache: 'ok' } })
    expect((await fetch(`${np.url}/healthz`)).status).toBe(200)
  })

  it('keeps idle connections for 65 s and says so, so that a client (or a proxy, 60 s) closes them first', async () => {
    const res = await fetch(`${np.url}/healthz`)
    expect(res.headers.get('connection')).toBe('keep-alive')
    expect(res.headers.get('keep-alive')).toBe('timeout=65')
  })

  it('serves GraphiQL from the package on GET /graphql', async () => {
    const page = await fetch(`${np.url}/graphql`, { headers: { accept: 'text/html' } })
    const html = await page.text()
    expect(html).toContain('graphiql.min.js')
    expect(html).not.toMatch(/https?:\/\/(?!127)/)
    const js = await fetch(`${np.url}/graphiql/graphiql.min.js`)
    expect(js.status).toBe(200)
    expect((await js.text()).length).toBeGreaterThan(100_000)
  })
})
