// The `nodes` answer is kept per node as JSON text (src/server/list-answer-cache.ts): after the
// cluster changes, the answer over HTTP must be what graphql-js makes from the cache at that
// moment, for the nodes that changed and the ones that did not.
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { execute, parse } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.js'
import { eventually } from '../support/eventually.js'
import { startTestNodeplan, type TestNodeplan } from '../support/nodeplan.js'

const NODES = `{ nodes { name roles ready notReadySince unschedulable draining gpus gpusInUse taints { key value effect } labels { key value }
  workloads { namespace name kind relocation project gpus pods } } }`

type NodeAnswer = { name: string; ready: boolean; draining: boolean; workloads: { kind: string }[] }

describe('the nodes answer kept per node', () => {
  let np: TestNodeplan
  let core: CoreV1Api

  const overHttp = async (query = NODES) => {
    const res = await np.gql(query)
    expect(res.errors).toBeUndefined()
    return res.data.nodes as NodeAnswer[]
  }
  const direct = async (query = NODES) => {
    const context = { principal: { subject: 'admin', role: 'admin' }, requestId: 'compare', log: createLogger({ level: 'error', write: () => {} }) }
    const result = await execute({ schema: np.app.schema, document: parse(query), contextValue: context })
    return JSON.parse(JSON.stringify(result.data)).nodes as NodeAnswer[]
  }

  beforeAll(async () => {
    np = await startTestNodeplan()
    const kc = new KubeConfig()
    kc.loadFromString(np.sim.kubeconfig)
    core = kc.makeApiClient(CoreV1Api)
  })
  afterAll(async () => {
    await np?.close()
  })

  it('answers what changed in the cluster, and the same as before for the rest', async () => {
    const before = await overHttp()
    expect(await overHttp()).toEqual(before)
    expect(before.find((n) => n.name === 'gpu-3')!.workloads.some((w) => w.kind === 'TRAINING')).toBe(true)

    np.sim.sim.failNode('cpu-1')
    const drain = { key: 'runai', value: 'drain', effect: 'NoExecute' }
    await core.patchNode({ name: 'gpu-3', body: [{ op: 'add', path: '/spec/taints', value: [drain] }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch))

    const after = await eventually(async () => {
      const nodes = await overHttp()
      const gpu3 = nodes.find((n) => n.name === 'gpu-3')!
      expect(gpu3.draining).toBe(true)
      expect(gpu3.workloads.some((w) => w.kind === 'TRAINING')).toBe(false)
      expect(nodes.find((n) => n.name === 'cpu-1')!.ready).toBe(false)
      expect(nodes).toEqual(await direct())
      return nodes
    })
    // The evicted training pods went to other nodes: their answers changed too, and sys-1's did not.
    const changed = after.filter((n, i) => JSON.stringify(n) !== JSON.stringify(before[i])).map((n) => n.name)
    expect(changed).toContain('gpu-3')
    expect(changed).toContain('cpu-1')
    expect(changed.length).toBeGreaterThan(2)
    expect(changed).not.toContain('sys-1')
  })

  it('keeps the answers of different selections apart', async () => {
    const small = '{ nodes { name gpus } }'
    const other = '{ nodes { gpus name } }'
    const first = await overHttp(small)
    const second = await overHttp(other)
    expect(Object.keys(first[0]!)).toEqual(['name', 'gpus'])
    expect(Object.keys(second[0]!)).toEqual(['gpus', 'name'])
    expect(await overHttp(small)).toEqual(await direct(small))
    expect(JSON.stringify(await overHttp(other))).toBe(JSON.stringify(await direct(other)))
  })
})
