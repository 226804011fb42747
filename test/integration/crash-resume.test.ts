import { mkdtempSync, rmSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js'
import { eventually } from '../support/eventually.js'
import { startNodeplanProcess, type NodeplanProcess } from '../support/nodeplan-process.js'

const NODES = ['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4', 'gpu-5', 'gpu-6']
/** The restarted process is a new lease owner: it takes the plan over once the dead one's lease expired. */
const LEASE = { NODEPLAN_APPLY_LEASE_SECONDS: '2' }

describe('a nodeplan process killed mid-apply', () => {
  let sim: RunningSimulator
  let dir: string
  let first: NodeplanProcess | null = null
  let second: NodeplanProcess | null = null

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nodeplan-crash-'))
    sim = await startSimulator({ port: 0, kubeconfigOut: join(dir, 'kubeconfig') })
  })
  afterAll(async () => {
    await first?.kill()
    await second?.kill()
    await sim?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('resumes the plan on restart, as a new lease owner: every change applied exactly once, the audit trail complete', async () => {
    const args = ['--port', '0', '--database', `file:${join(dir, 'nodeplan.db')}`, '--kubeconfig', join(dir, 'kubeconfig'), '--apply-parallelism', '1']
    first = await startNodeplanProcess(args, LEASE)
    const planned = await first.gql(`mutation($nodes: [String!]!) { planDrain(input: {nodes: $nodes, reason: "crash test"}) { id } }`, { nodes: NODES })
    const id = planned.data.planDrain.id as string

    // Slow every read and write of a single node, so the apply is wide open to a kill.
    sim.sim.setFaults({ latencyMs: 250, paths: '^/api/v1/nodes/' })
    sim.sim.clearRequests()
    void first.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id }).catch(() => undefined)
    await eventually(async () => {
      const res = await first!.gql(`query($id: ID!) { plan(id: $id) { status changes { applied } } }`, { id })
      expect(res.data.plan.status).toBe('APPLYING')
      expect(res.data.plan.changes.filter((c: any) => c.applied).length).toBeGreaterThanOrEqual(2)
    }, 30_000)
    await first.kill('SIGKILL')
    const db = new Database(join(dir, 'nodeplan.db'), { readonly: true })
    const firstOwner = (db.prepare('SELECT "applyOwner" FROM "Plan" WHERE "id" = ?').get(id) as { applyOwner: string }).applyOwner
    db.close()
    const appliedBeforeKill = patchesPerNode()
    expect(Object.keys(appliedBeforeKill).length).toBeLessThan(NODES.length)

    second = await startNodeplanProcess(args, LEASE)
    const done = await eventually(async () => {
      const res = await second!.gql(`query($id: ID!) { plan(id: $id) { status changes { node applied error } } }`, { id })
      expect(['APPLIED', 'FAILED']).toContain(res.data.plan.status)
      return res.data.plan
    }, 30_000)
    sim.sim.setFaults(null)

    expect(done.status).toBe('APPLIED')
    expect(done.changes.every((c: any) => c.applied && c.error === null)).toBe(true)
    // No change was written twice: the drain taint was added to each node once, across both
    // processes (the node's own history; a PATCH left unanswered by the kill may or may not have
    // been applied, so the request log alone cannot tell).
    expect(drainTaintAdds()).toEqual(Object.fromEntries(NODES.map((n) => [n, 1])))
    expect(Object.values(patchesPerNode()).every((n) => n === 1)).toBe(true)

    const audit = await second.gql(`query($id: ID!) { auditEvents(filter: {planId: $id}, first: 100) { edges { node { action node detail } } } }`, { id })
    const actions = audit.data.auditEvents.edges.map((e: any) => e.node.action).reverse()
    expect(actions.filter((a: string) => a === 'change.applied')).toHaveLength(NODES.length)
    expect(actions[0]).toBe('plan.created')
    expect(actions).toContain('plan.resumed')
    // Two processes on one host are two lease owners: the host's name, and a suffix of their own.
    const resumedBy = audit.data.auditEvents.edges.find((e: any) => e.node.action === 'plan.resumed').node.detail.by as string
    expect(firstOwner.startsWith(`${hostname()}_`)).toBe(true)
    expect(resumedBy.startsWith(`${hostname()}_`)).toBe(true)
    expect(resumedBy).not.toBe(firstOwner)
    expect(actions.at(-1)).toBe('plan.applied')
    const perNode = audit.data.auditEvents.edges.filter((e: any) => e.node.action === 'change.applied').map((e: any) => e.node.node).sort()
    expect(perNode).toEqual(NODES)
  })

  function drainTaintAdds(): Record<string, number> {
    const drained = (node: { spec?: { taints?: { key: string }[] } } | null) => (node?.spec?.taints ?? []).some((t) => t.key === 'runai')
    const counts: Record<string, number> = {}
    for (const e of sim.sim.nodes.eventsSince(0)) {
      if (e.type === 'MODIFIED' && !drained(e.previous) && drained(e.object)) counts[e.object.metadata.name] = (counts[e.object.metadata.name] ?? 0) + 1
    }
    return counts
  }

  function patchesPerNode(): Record<string, number> {
    const counts: Record<string, number> = {}
    for (const r of sim.sim.requests()) {
      if (r.resource === 'nodes' && r.verb === 'patch' && r.name && r.code >= 200 && r.code < 300) counts[r.name] = (counts[r.name] ?? 0) + 1
    }
    return counts
  }
})
