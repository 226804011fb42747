// A node that comes back while no replica leads: nobody records its return then. The next leader
// finds its outage recorded and never ended, and handles the return from the cache's state.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { eventually } from '../support/eventually.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { SIM_START, startTestCluster, type TestCluster } from '../support/simulator.js'

const { operator, viewer } = TEST_TOKENS
let cluster: TestCluster
let np: TestNodeplan

beforeAll(async () => {
  cluster = await startTestCluster({ startTime: SIM_START })
  np = await startTestNodeplan({ tokens: true, sim: cluster, overrides: { clock: cluster.sim.clock, downtimeCheckIntervalMs: 0 } })
})
afterAll(async () => {
  await np?.close()
  await cluster?.close()
})

async function audit(node: string, action: string): Promise<{ detail: any }[]> {
  const res = await np.gql(`query($f: AuditFilter) { auditEvents(filter: $f, first: 100) { edges { node { detail } } } }`, { f: { node, action } }, viewer)
  expect(res.errors).toBeUndefined()
  return res.data.auditEvents.edges.map((e: any) => e.node)
}

async function plansOf(node: string, kind: string): Promise<{ id: string; status: string }[]> {
  const res = await np.gql(`query($node: String) { plans(node: $node, first: 100) { edges { node { id kind status } } } }`, { node }, viewer)
  return res.data.plans.edges.map((e: any) => e.node).filter((p: any) => p.kind === kind)
}

it('records the return and proposes the undrain of a node Ready again during a gap without a leader', async () => {
  const watcher = np.app.services.downtime
  const since = cluster.sim.clock.timestamp()
  cluster.sim.failNode('gpu-3')
  await eventually(async () => expect(await audit('gpu-3', 'node.notready')).toHaveLength(1))
  cluster.sim.advance(301)
  const [drain] = await watcher.check()
  expect(drain?.kind).toBe('DRAIN')
  const applied = await np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: drain!.id }, operator)
  expect(applied.data.applyPlan.status).toBe('APPLIED')

  // Leadership lost; the node comes back before anyone leads again.
  await watcher.stop()
  cluster.sim.advance(60)
  cluster.sim.recoverNode('gpu-3')
  await eventually(() => expect(np.app.cache.node('gpu-3')?.ready).toBe(true))
  expect(await audit('gpu-3', 'node.ready')).toEqual([])
  expect(await plansOf('gpu-3', 'UNDRAIN')).toEqual([])

  // A leader again (what main.ts does on startedLeading).
  watcher.start(0)
  await watcher.takeOver()
  expect(await audit('gpu-3', 'node.ready')).toEqual([{ detail: { since, downSeconds: 361 } }])
  expect((await plansOf('gpu-3', 'UNDRAIN')).map((p) => p.status)).toEqual(['PENDING'])

  // Taking over again changes nothing: the outage is over now.
  await watcher.takeOver()
  expect(await audit('gpu-3', 'node.ready')).toHaveLength(1)
  expect(await plansOf('gpu-3', 'UNDRAIN')).toHaveLength(1)
})
