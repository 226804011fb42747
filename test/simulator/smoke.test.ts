import * as k8s from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCluster, type TestCluster } from '../support/simulator.js'

describe('simulator smoke (client-node)', () => {
  let cluster: TestCluster
  let core: k8s.CoreV1Api

  beforeAll(async () => {
    cluster = await startTestCluster()
    const kc = new k8s.KubeConfig()
    kc.loadFromFile(cluster.kubeconfigPath)
    core = kc.makeApiClient(k8s.CoreV1Api)
  })
  afterAll(() => cluster.close())

  it('lists the default nodes with role labels over TLS with the token', async () => {
    const list = await core.listNode()
    expect(list.items.map((n) => n.metadata!.name).sort()).toEqual(
      ['cpu-1', 'cpu-2', 'gpu-1', 'gpu-2', 'gpu-3', 'gpu-4', 'gpu-5', 'gpu-6', 'sys-1', 'sys-2'],
    )
    const gpu1 = list.items.find((n) => n.metadata!.name === 'gpu-1')!
    expect(gpu1.metadata!.labels).toHaveProperty('node-role.kubernetes.io/runai-gpu-worker', '')
    expect(gpu1.status!.allocatable!['nvidia.com/gpu']).toBe('8')
  })

  it('filters pods by spec.nodeName', async () => {
    const pods = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=gpu-1' })
    expect(pods.items.length).toBeGreaterThan(2)
    expect(pods.items.every((p) => p.spec!.nodeName === 'gpu-1')).toBe(true)
  })
})
