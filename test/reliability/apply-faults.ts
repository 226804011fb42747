// Applies plans while the simulated API server misbehaves, then checks what must hold whatever
// happened: every plan APPLIED or FAILED with a record per change, no node patched twice by an
// apply, one drain taint per node, the concurrent writer's taints intact, the audit chain whole.
import { expect } from 'vitest'
import type { Faults } from '../../src/simulator/faults.js'
import { RESOURCES } from '../../src/simulator/resources.js'
import { TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

const WRITER_KEY = 'example.com/writer'

export interface FaultRun {
  statuses: Record<string, number>
  patchesPerNode: Record<string, number>
  changes: { node: string; applied: boolean; error: string | null }[]
  writerTaints: number
  wallMs: number
  /** nodeplan's API requests answered with an error status (or none: code as the counter names it), during the apply. */
  refused: Record<string, number>
  /** The distinct errors of the changes that were not applied. */
  errors: string[]
}

interface Options {
  nodes: string[]
  faults: Faults
  /** Taints added by another writer, straight into the simulator's store, while the apply runs. */
  concurrentWriter?: boolean
  /** Pause between the writer's rounds over all the nodes (default 15 ms). */
  writerIntervalMs?: number
  /** Toggle the faults on and off every this many ms (spikes); default: on for the whole apply. */
  spikeMs?: number
  /** Clear the faults after this many ms (an outage that ends); default: never during the apply. */
  clearAfterMs?: number
}

export async function applyUnderFaults(np: TestNodeplan, o: Options): Promise<FaultRun> {
  const sim = np.sim.sim
  const nodesStore = sim.store(RESOURCES.find((r) => r.plural === 'nodes')!)
  const gql = (q: string, v?: Record<string, unknown>) => np.gql(q, v, TEST_TOKENS.operator)
  // One plan per pair of nodes.
  const ids: string[] = []
  for (let i = 0; i < o.nodes.length; i += 2) {
    const res = await gql(`mutation($n: [String!]!) { planDrain(input: {nodes: $n, reason: "faults"}) { id } }`, { n: o.nodes.slice(i, i + 2) })
    expect(res.errors).toBeUndefined()
    ids.push(res.data.planDrain.id)
  }
  const auditBefore = (await gql(`{ auditEvents(first: 1) { totalCount } }`)).data.auditEvents.totalCount as number

  const countsBefore = np.app.cache.requestCounts()
  sim.clearRequests()
  sim.setFaults(o.faults)
  const started = Date.now()
  let done = false
  let writerTaints = 0
  const writer = (async () => {
    if (!o.concurrentWriter) return
    for (let round = 0; !done && round < 200; round++) {
      for (const name of o.nodes) {
        const node = nodesStore.mustGet(undefined, name)
        const taints = [...((node.spec?.taints as object[] | undefined) ?? []), { key: `${WRITER_KEY}-${round}`, value: 'x', effect: 'NoSchedule' }]
        nodesStore.update({ ...node, spec: { ...node.spec, taints } })
        writerTaints++
      }
      await new Promise((resolve) => setTimeout(resolve, o.writerIntervalMs ?? 15))
    }
  })()
  const toggler = (async () => {
    if (o.spikeMs) {
      for (let on = true; !done; on = !on) {
        sim.setFaults(on ? o.faults : null)
        await new Promise((resolve) => setTimeout(resolve, o.spikeMs))
      }
    } else if (o.clearAfterMs) {
      await new Promise((resolve) => setTimeout(resolve, o.clearAfterMs))
      sim.setFaults(null)
    }
  })()
  const results = await Promise.all(ids.map((id) => gql(`mutation($id: ID!) { applyPlan(id: $id) { id status changes { node applied error } } }`, { id })))
  done = true
  await Promise.all([writer, toggler])
  sim.setFaults(null)
  const wallMs = Date.now() - started

  const statuses: Record<string, number> = {}
  const changes: FaultRun['changes'] = []
  for (const [i, res] of results.entries()) {
    // An apply that ends FAILED still answers with the plan; a refused call would have an error.
    const plan = res.data?.applyPlan ?? (await gql(`query($id: ID!) { plan(id: $id) { status changes { node applied error } } }`, { id: ids[i] })).data.plan
    statuses[plan.status] = (statuses[plan.status] ?? 0) + 1
    expect(['APPLIED', 'FAILED']).toContain(plan.status)
    for (const c of plan.changes) {
      changes.push(c)
      // A record per change: applied, or the reason it was not.
      expect(c.applied || (typeof c.error === 'string' && c.error.length > 0), JSON.stringify(c)).toBe(true)
      if (plan.status === 'APPLIED') expect(c.applied).toBe(true)
    }
  }

  // Nothing written twice: at most one successful PATCH per node (the writer goes around the API).
  const patchesPerNode: Record<string, number> = {}
  const refused: Record<string, number> = {}
  for (const row of np.app.cache.requestCounts()) {
    const before = countsBefore.find((b) => b.verb === row.verb && b.code === row.code)?.count ?? 0
    if (!/^[23]/.test(row.code) && row.count > before) refused[row.code] = (refused[row.code] ?? 0) + row.count - before
  }
  for (const r of sim.requests()) {
    if (r.resource === 'nodes' && r.verb === 'patch' && r.name && r.code >= 200 && r.code < 300) patchesPerNode[r.name] = (patchesPerNode[r.name] ?? 0) + 1
  }
  for (const n of Object.values(patchesPerNode)) expect(n).toBe(1)
  for (const c of changes) expect(patchesPerNode[c.node] ?? 0, `patches of ${c.node}`).toBe(c.applied ? 1 : 0)

  // The live nodes: one drain taint where applied, none where not; every writer taint still there.
  for (const c of changes) {
    const taints = (nodesStore.mustGet(undefined, c.node).spec?.taints as { key: string; value?: string; effect: string }[] | undefined) ?? []
    expect(taints.filter((t) => t.key === 'runai' && t.effect === 'NoExecute')).toHaveLength(c.applied ? 1 : 0)
    if (o.concurrentWriter) {
      const rounds = writerTaints / o.nodes.length
      expect(taints.filter((t) => t.key.startsWith(WRITER_KEY)).length, `writer taints on ${c.node}`).toBe(rounds)
    }
  }

  // The audit trail: one change.applied per applied change, one plan.applied/plan.failed per plan, chain whole.
  const audit = await np.gql(`{ auditEvents(first: 500) { totalCount edges { node { action node planId } } } verifyAuditTrail { ok checked } }`, {}, TEST_TOKENS.admin)
  const events = audit.data.auditEvents.edges.map((e: any) => e.node).filter((e: any) => ids.includes(e.planId))
  for (const c of changes.filter((c) => c.applied)) {
    expect(events.filter((e: any) => e.action === 'change.applied' && e.node === c.node), `change.applied for ${c.node}`).toHaveLength(1)
  }
  expect(events.filter((e: any) => e.action === 'change.applied')).toHaveLength(changes.filter((c) => c.applied).length)
  for (const id of ids) expect(events.filter((e: any) => e.planId === id && (e.action === 'plan.applied' || e.action === 'plan.failed'))).toHaveLength(1)
  expect(audit.data.auditEvents.totalCount).toBeGreaterThan(auditBefore)
  expect(audit.data.verifyAuditTrail.ok).toBe(true)
  return { statuses, patchesPerNode, changes, writerTaints, wallMs, refused, errors: [...new Set(changes.filter((c) => c.error).map((c) => c.error!.replace(/gpu-\d+/g, 'gpu-N')))] }
}
