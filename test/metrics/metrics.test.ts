import { eventually } from '../support/eventually.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

/** The value of one sample, e.g. value(text, 'nodeplan_plans_total', { kind: 'DRAIN', status: 'APPLIED' }); 0 when absent. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3])
  }
  return 0
}

describe('/metrics', () => {
  let np: TestNodeplan
  const scrape = async () => {
    const res = await fetch(`${np.url}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    return res.text()
  }

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
  })
  afterAll(async () => {
    await np?.close()
  })

  it('counts plans, audit events, durations and Kubernetes requests, and reads nodes from the cache', async () => {
    const before = await scrape()
    expect(value(before, 'nodeplan_nodes_draining')).toBe(0)
    const gpuWorkersReady = value(before, 'nodeplan_nodes', { role: 'GPU_WORKER', ready: 'true' })
    expect(gpuWorkersReady).toBeGreaterThan(0)
    const gpusInService = value(before, 'nodeplan_gpus', { state: 'in_service' })
    expect(gpusInService).toBeGreaterThan(0)
    expect(value(before, 'nodeplan_kubernetes_requests_total', { verb: 'GET', code: '200' })).toBeGreaterThan(0)

    const planned = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-1"], reason: "CHG-9 metrics"}) { id impact { gpus } } }`, {}, TEST_TOKENS.operator)
    expect(planned.errors).toBeUndefined()
    const { id, impact } = planned.data.planDrain
    const applied = await np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id }, TEST_TOKENS.operator)
    expect(applied.data.applyPlan.status).toBe('APPLIED')
    const refused = await np.gql(`mutation { planDrain(input: {nodes: ["no-such-node"], reason: "x"}) { id } }`, {}, TEST_TOKENS.operator)
    expect(refused.errors?.[0]?.extensions?.code).toBeDefined()

    const after = await scrape()
    expect(value(after, 'nodeplan_plans_total', { kind: 'DRAIN', status: 'PENDING' }) - value(before, 'nodeplan_plans_total', { kind: 'DRAIN', status: 'PENDING' })).toBe(1)
    expect(value(after, 'nodeplan_plans_total', { kind: 'DRAIN', status: 'APPLIED' }) - value(before, 'nodeplan_plans_total', { kind: 'DRAIN', status: 'APPLIED' })).toBe(1)
    expect(value(after, 'nodeplan_plan_duration_seconds_count', { kind: 'DRAIN', outcome: 'ok' })).toBe(1)
    expect(value(after, 'nodeplan_plan_duration_seconds_count', { kind: 'DRAIN', outcome: refused.errors![0]!.extensions!.code as string })).toBe(1)
    expect(value(after, 'nodeplan_apply_duration_seconds_count', { kind: 'DRAIN', status: 'APPLIED' })).toBe(1)
    // plan.created, plan.applying, change.applied, plan.applied at least
    expect(value(after, 'nodeplan_audit_events_total') - value(before, 'nodeplan_audit_events_total')).toBeGreaterThanOrEqual(4)
    expect(value(after, 'nodeplan_kubernetes_requests_total', { verb: 'PATCH', code: '200' })).toBeGreaterThan(value(before, 'nodeplan_kubernetes_requests_total', { verb: 'PATCH', code: '200' }))
    expect(value(after, 'nodeplan_nodes_draining')).toBe(1)
    expect(value(after, 'nodeplan_gpus', { state: 'in_service' })).toBe(gpusInService - impact.gpus)
    expect(value(after, 'nodeplan_gpus', { state: 'out_of_service' }) - value(before, 'nodeplan_gpus', { state: 'out_of_service' })).toBe(impact.gpus)
  })

  it('counts the nodes of a nodes answer made afresh and the ones answered from kept text', async () => {
    const query = '{ nodes { name gpus labels { key } } }'
    const count = async (answer: string) => value(await scrape(), 'nodeplan_graphql_list_elements_total', { answer })
    const [kept, made] = [await count('kept'), await count('made')]
    const first = await np.gql(query, {}, TEST_TOKENS.viewer)
    const nodes = first.data.nodes.length as number
    expect(nodes).toBeGreaterThan(0)
    expect(await count('made')).toBe(made + nodes)
    await np.gql(query, {}, TEST_TOKENS.viewer)
    expect(await count('kept')).toBe(kept + nodes)
    expect(await count('made')).toBe(made + nodes)
  })

  it('reports the process itself: resident memory, heap and event-loop delay', async () => {
    const text = await scrape()
    expect(value(text, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024)
    expect(value(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0)
    expect(value(text, 'nodejs_heap_space_size_used_bytes', { space: 'old' })).toBeGreaterThan(0)
    expect(text).toContain('nodejs_eventloop_lag_p99_seconds')
  })

  it('reports failed Kubernetes requests as errors by verb and code', async () => {
    // /readyz asks the API server for GET /version: make it answer 503.
    np.sim.sim.setFaults({ errorRate: 1, errorStatus: 503, paths: '^/version$' })
    let text: string
    try {
      // On a loaded machine a probe can time out before the 503 arrives: probe until one is counted.
      text = await eventually(async () => {
        expect((await fetch(`${np.url}/readyz`)).status).toBe(503)
        const scraped = await scrape()
        expect(value(scraped, 'nodeplan_kubernetes_request_errors_total', { verb: 'GET', code: '503' })).toBeGreaterThan(0)
        return scraped
      }, 30_000)
    } finally {
      np.sim.sim.setFaults({})
    }
    expect(value(text, 'nodeplan_kubernetes_request_errors_total', { verb: 'GET', code: '200' })).toBe(0)
    expect(value(text, 'nodeplan_kubernetes_requests_total', { verb: 'GET', code: '503' })).toBe(value(text, 'nodeplan_kubernetes_request_errors_total', { verb: 'GET', code: '503' }))
  })
})
