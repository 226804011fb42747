// A change's progress record that cannot be written stops the apply: the workers write no
// further node, and the caller hears of it. The database itself refuses (a trigger), as a full
// disk or a lost PostgreSQL would.
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { DRAIN_TAINT } from '../../src/domain/cluster.js'
import { startTestNodeplan, type TestNodeplan } from '../support/nodeplan.js'

let np: TestNodeplan
beforeAll(async () => {
  np = await startTestNodeplan({ overrides: { apply: { parallelism: 1 } } })
})
afterAll(async () => {
  await np?.close()
})

const NODES = ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4', 'gpu-5', 'gpu-6']
const drained = (name: string) =>
  ((np.sim.sim.nodes.get(undefined, name)?.spec?.taints ?? []) as { key: string; effect: string }[]).some((t) => t.key === DRAIN_TAINT.key && t.effect === DRAIN_TAINT.effect)

it('stops writing nodes once a progress record fails, and answers with an error', async () => {
  const planned = await np.gql(`mutation($n: [String!]!) { planDrain(input: { nodes: $n, reason: "record failure" }) { id } }`, { n: NODES })
  const id = planned.data.planDrain.id as string
  const db = new Database(join(np.dir, 'nodeplan.db'))
  db.exec(`CREATE TRIGGER refuse_record BEFORE UPDATE OF "applied" ON "PlanChange" WHEN NEW."node" = 'gpu-3'
           BEGIN SELECT RAISE(ABORT, 'injected: no space left on device'); END`)
  // Each node's write answered slowly, so that a record's failure (a few ms) is known before the
  // worker's next write has been answered: the test does not race the database against the cluster.
  np.sim.sim.setFaults({ latencyMs: 150, paths: '^/api/v1/nodes/' })
  try {
    const applied = await np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id })
    expect(applied.errors?.length).toBeGreaterThan(0)
    expect(applied.data?.applyPlan ?? null).toBeNull()
  } finally {
    np.sim.sim.setFaults({})
    db.exec('DROP TRIGGER refuse_record')
    db.close()
  }
  // One worker, nodes in order: gpu-3 was written, its record refused; the worker may have started
  // gpu-4 while that record was being written, but nothing after it.
  expect(NODES.slice(0, 3).map(drained)).toEqual([true, true, true])
  expect(NODES.slice(4).map(drained)).toEqual([false, false])
})
