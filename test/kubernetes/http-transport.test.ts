import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KubernetesApi } from '../../src/adapters/kubernetes/kubernetes-api.js'
import { kubeConfigFromString } from '../../src/adapters/kubernetes/kubeconfig.js'
import { KubernetesNodeWriter } from '../../src/adapters/kubernetes/node-writer.js'
import { taintChange } from '../../src/domain/change.js'
import { DRAIN_TAINT } from '../../src/domain/cluster.js'
import { NodeplanError } from '../../src/domain/errors.js'
import { generateClusterCertificates } from '../../src/simulator/certificates.js'
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js'
import { json, startFakeApiServer, type FakeApiServer } from './fake-api-server.js'

describe('requests through the transport', () => {
  let server: FakeApiServer
  let api: KubernetesApi
  beforeEach(async () => {
    server = await startFakeApiServer()
    api = new KubernetesApi(server.kc, { timeoutMs: 200 })
  })
  afterEach(async () => {
    api.close()
    await server.close()
  })

  it('reuses one keep-alive connection and counts requests by verb and status', async () => {
    server.on('GET /version', json(200, { gitVersion: 'v1.35.0' }))
    const sockets = new Set<unknown>()
    server.on('LIST /api/v1/nodes', (req, res) => {
      sockets.add(res.socket)
      json(200, { items: [], metadata: { resourceVersion: '1' } })(req, res)
    })
    for (let i = 0; i < 3; i++) await api.getJson('/api/v1/nodes')
    await api.getJson('/version')
    await expect(api.getJson('/api/v1/nodes/missing')).rejects.toMatchObject({ code: 404 })
    expect(sockets.size).toBe(1)
    expect(api.counter.rows()).toEqual([
      { verb: 'GET', code: '200', count: 4 },
      { verb: 'GET', code: '404', count: 1 },
    ])
  })

  it('times a request out that gets no answer', async () => {
    server.on('GET /api/v1/nodes/gpu-1', () => {}) // never answers
    await expect(api.getJson('/api/v1/nodes/gpu-1')).rejects.toMatchObject({ code: 'ETIMEDOUT', message: 'GET /api/v1/nodes/gpu-1 timed out after 200 ms' })
    expect(api.counter.rows()).toEqual([{ verb: 'GET', code: 'ETIMEDOUT', count: 1 }])
  })

  it('the writer retries timeouts and reports KUBERNETES_UNAVAILABLE at the deadline', async () => {
    server.on('GET /api/v1/nodes/gpu-1', () => {})
    let t = 0
    const writer = new KubernetesNodeWriter(api, { clock: { now: () => new Date(t), sleep: async (ms) => void (t += ms) }, random: () => 0.5 })
    const err = await writer.apply(taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), { deadline: 300 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NodeplanError)
    expect((err as NodeplanError).code).toBe('KUBERNETES_UNAVAILABLE')
    expect((err as Error).message).toBe(
      'add taint runai=drain:NoExecute to node gpu-1: gave up at the deadline after 3 attempts; last error: ETIMEDOUT: GET /api/v1/nodes/gpu-1 timed out after 200 ms',
    )
  })
})

describe('TLS through the transport (the simulator over HTTPS)', () => {
  let sim: RunningSimulator
  beforeEach(async () => {
    sim = await startSimulator({ systemNodes: 1, gpuNodes: 1, cpuNodes: 0 })
  })
  afterEach(async () => {
    await sim.close()
  })

  it('verifies every connection against the kubeconfig CA: parallel requests on new connections succeed, another CA is refused', async () => {
    const api = new KubernetesApi(kubeConfigFromString(sim.kubeconfig), { timeoutMs: 5_000 })
    const answers = await Promise.all(Array.from({ length: 8 }, () => api.getJson<{ gitVersion: string }>('/version')))
    expect(answers.every((v) => typeof v.gitVersion === 'string')).toBe(true)
    api.close()
    const otherCa = Buffer.from((await generateClusterCertificates()).caPem).toString('base64')
    const kubeconfig = sim.kubeconfig.replace(/certificate-authority-data: \S+/, `certificate-authority-data: ${otherCa}`)
    expect(kubeconfig).not.toBe(sim.kubeconfig)
    const wrong = new KubernetesApi(kubeConfigFromString(kubeconfig), { timeoutMs: 5_000 })
    await expect(wrong.getJson('/version')).rejects.toMatchObject({ code: expect.stringMatching(/CERT|SIGNATURE|SELF_SIGNED|VERIFY|ISSUER/) })
    wrong.close()
  })
})
