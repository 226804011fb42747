// One test per injected fault. Faults touch the Kubernetes API routes only, never /_sim.
import { request } from 'node:https'
import * as k8s from '@kubernetes/client-node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTestCluster, type TestCluster } from '../support/simulator.js'

let cluster: TestCluster
let core: k8s.CoreV1Api

async function outcome(promise: Promise<unknown>): Promise<{ ok: true } | { ok: false; code?: number; body?: any; message: string }> {
  try {
    await promise
    return { ok: true }
  } catch (error) {
    const e = error as { code?: number; body?: unknown; message: string }
    return { ok: false, code: e.code, body: typeof e.body === 'string' && e.body.startsWith('{') ? JSON.parse(e.body) : e.body, message: e.message }
  }
}


beforeAll(async () => {
  cluster = await startTestCluster()
  const kc = new k8s.KubeConfig()
  kc.loadFromString(cluster.kubeconfig)
  core = kc.makeApiClient(k8s.CoreV1Api)
})
afterEach(() => cluster.sim.setFaults(null))
afterAll(() => cluster.close())

describe('fault injection', () => {
  it('errorRate with errorStatus 500 answers an InternalError Status', async () => {
    cluster.sim.setFaults({ errorRate: 1, errorStatus: 500 })
    const r = await outcome(core.listNode())
    expect(r).toMatchObject({ ok: false, code: 500, body: { kind: 'Status', reason: 'InternalError', code: 500 } })
  })

  it('errorRate with errorStatus 503 answers ServiceUnavailable', async () => {
    cluster.sim.setFaults({ errorRate: 1, errorStatus: 503 })
    expect(await outcome(core.readNode({ name: 'gpu-1' }))).toMatchObject({ ok: false, code: 503, body: { reason: 'ServiceUnavailable' } })
  })

  it('errorRate with errorStatus 429 answers TooManyRequests', async () => {
    cluster.sim.setFaults({ errorRate: 1, errorStatus: 429 })
    expect(await outcome(core.readNode({ name: 'gpu-1' }))).toMatchObject({ ok: false, code: 429, body: { reason: 'TooManyRequests' } })
  })

  it('an errorRate below 1 fails some requests and not others, reproducibly', async () => {
    cluster.sim.setFaults({ errorRate: 0.5 })
    const results: boolean[] = []
    for (let i = 0; i < 20; i++) results.push((await outcome(core.readNode({ name: 'gpu-1' }))).ok)
    expect(results.filter((ok) => ok).length).toBeGreaterThan(2)
    expect(results.filter((ok) => !ok).length).toBeGreaterThan(2)
  })

  it('conflictRate forces 409 on writes while reads still work, and the write is not applied', async () => {
    cluster.sim.setFaults({ conflictRate: 1 })
    const node = await core.readNode({ name: 'gpu-2' })
    const r = await outcome(
      core.patchNode({ name: 'gpu-2', body: { metadata: { labels: { x: 'y' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)),
    )
    expect(r).toMatchObject({ ok: false, code: 409, body: { reason: 'Conflict', message: expect.stringContaining('Operation cannot be fulfilled on nodes "gpu-2"') } })
    cluster.sim.setFaults(null)
    expect((await core.readNode({ name: 'gpu-2' })).metadata?.resourceVersion).toBe(node.metadata?.resourceVersion)
  })

  it('latencyMs delays every answer by at least that long', async () => {
    cluster.sim.setFaults({ latencyMs: 300 })
    const started = performance.now()
    await core.readNode({ name: 'gpu-1' })
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
  })

  it('unreachable drops every connection without an answer', async () => {
    cluster.sim.setFaults({ unreachable: true })
    const r = await outcome(core.listNode())
    expect(r.ok).toBe(false)
    expect(r).not.toHaveProperty('code', expect.any(Number))
  })

  it('resetRate resets connections mid-request', async () => {
    cluster.sim.setFaults({ resetRate: 1 })
    const r = await outcome(core.readNode({ name: 'gpu-1' }))
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.message).toMatch(/socket hang up|ECONNRESET|other side closed|fetch failed/i)
  })

  it('paths limits faults to matching request paths', async () => {
    cluster.sim.setFaults({ errorRate: 1, errorStatus: 503, paths: '^/api/v1/nodes/gpu-1$' })
    expect(await outcome(core.readNode({ name: 'gpu-1' }))).toMatchObject({ ok: false, code: 503 })
    expect(await outcome(core.readNode({ name: 'gpu-2' }))).toEqual({ ok: true })
  })

  it('times limits faults to that many matching requests, then clears them', async () => {
    cluster.sim.setFaults({ errorRate: 1, errorStatus: 503, paths: '^/api/v1/nodes/gpu-1$', times: 2 })
    expect(await outcome(core.readNode({ name: 'gpu-2' }))).toEqual({ ok: true })
    expect(await outcome(core.readNode({ name: 'gpu-1' }))).toMatchObject({ ok: false, code: 503 })
    expect(cluster.sim.faults()).toMatchObject({ times: 1 })
    expect(await outcome(core.readNode({ name: 'gpu-1' }))).toMatchObject({ ok: false, code: 503 })
    expect(cluster.sim.faults()).toBeNull()
    expect(await outcome(core.readNode({ name: 'gpu-1' }))).toEqual({ ok: true })
  })

  it('is set, read and cleared over /_sim/faults, which faults never affect', async () => {
    const call = (method: string, body?: object) =>
      new Promise<{ status: number; json: any }>((resolve, reject) => {
        const req = request(
          `${cluster.url}/_sim/faults`,
          { method, ca: cluster.caPem, headers: body ? { 'Content-Type': 'application/json' } : {} },
          (res: any) => {
            let t = ''
            res.on('data', (c: Buffer) => (t += c))
            res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(t) }))
          },
        )
        req.on('error', reject)
        req.end(body ? JSON.stringify(body) : undefined)
      })
    expect((await call('POST', { unreachable: true })).json).toEqual({ faults: { unreachable: true } })
    expect((await call('GET')).json).toEqual({ faults: { unreachable: true } })
    expect((await outcome(core.listNode())).ok).toBe(false)
    expect((await call('DELETE')).json).toEqual({ faults: null })
    expect((await outcome(core.listNode())).ok).toBe(true)
    expect((await call('POST', { errorRate: 2 })).status).toBe(400)
    expect((await call('POST', { flood: true })).status).toBe(400)
    expect((await call('POST', { errorRate: 1, times: 0 })).json.message).toMatch(/times must be a whole number of requests, at least 1/)
  })
})
