// kill -9 of a nodeplan process at a random point of an apply, over and over against one database
// and one simulated cluster; each restarted process is the next run's victim. After every restart
// the plan ends APPLIED, each node was patched once, the audit trail has one change.applied per
// node and one plan.applied, and the hash chain verifies.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { startSimulator } from '../../src/simulator/index.js'
import { eventually } from '../support/eventually.js'
import { startNodeplanProcess, type NodeplanProcess } from '../support/nodeplan-process.js'
import { prng } from './hostile-input.js'

/** Each restarted process is a new lease owner: it takes the plan over once the killed one's lease expired. */
const LEASE = { NODEPLAN_APPLY_LEASE_SECONDS: '2' }

export interface KillRunReport {
  runs: number
  /** How many runs the kill landed in, by the plan's status at the moment after the kill. */
  killedWhile: Record<string, number>
  resumed: number
}

export async function killAndResume(runs: number, seed: number, nodesPerPlan = 3): Promise<KillRunReport> {
  const random = prng(seed)
  const dir = mkdtempSync(join(tmpdir(), 'nodeplan-kill-'))
  const sim = await startSimulator({ port: 0, gpuNodes: runs * nodesPerPlan, cpuNodes: 0, kubeconfigOut: join(dir, 'kubeconfig') })
  const args = ['--port', '0', '--database', `file:${join(dir, 'nodeplan.db')}`, '--kubeconfig', join(dir, 'kubeconfig'), '--apply-parallelism', '1']
  const report: KillRunReport = { runs, killedWhile: {}, resumed: 0 }
  let proc: NodeplanProcess = await startNodeplanProcess(args, LEASE)
  try {
    for (let run = 0; run < runs; run++) {
      const nodes = Array.from({ length: nodesPerPlan }, (_, i) => `gpu-${run * nodesPerPlan + i + 1}`)
      const planned = await proc.gql(`mutation($n: [String!]!) { planDrain(input: {nodes: $n, reason: "kill -9 run ${run}"}) { id } }`, { n: nodes })
      expect(planned.errors).toBeUndefined()
      const id = planned.data.planDrain.id as string

      // Slow single-node calls so the apply is spread over time, then kill it anywhere in it.
      sim.sim.setFaults({ latencyMs: 150, paths: '^/api/v1/nodes/' })
      sim.sim.clearRequests()
      void proc.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id }).catch(() => undefined)
      // One 150 ms PATCH per node, one node at a time: the apply's own span, so most kills land in it.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 150 * nodesPerPlan)))
      await proc.kill('SIGKILL')

      proc = await startNodeplanProcess(args, LEASE)
      const after = (await proc.gql(`query($id: ID!) { plan(id: $id) { status } }`, { id })).data.plan.status as string
      report.killedWhile[after] = (report.killedWhile[after] ?? 0) + 1
      // Killed before the apply began: nothing to resume, so apply it now.
      if (after === 'PENDING') await proc.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id })
      const plan = await eventually(async () => {
        const res = await proc.gql(`query($id: ID!) { plan(id: $id) { status changes { node applied error } } }`, { id })
        expect(['APPLIED', 'FAILED']).toContain(res.data.plan.status)
        return res.data.plan
      }, 30_000)
      sim.sim.setFaults(null)

      expect(plan.status, `run ${run}`).toBe('APPLIED')
      expect(plan.changes.every((c: any) => c.applied && c.error === null)).toBe(true)
      const patches: Record<string, number> = {}
      for (const r of sim.sim.requests()) {
        if (r.resource === 'nodes' && r.verb === 'patch' && r.name && r.code >= 200 && r.code < 300) patches[r.name] = (patches[r.name] ?? 0) + 1
      }
      expect(patches, `run ${run}: PATCHes per node`).toEqual(Object.fromEntries(nodes.map((n) => [n, 1])))

      const audit = await proc.gql(`query($id: ID!) { auditEvents(filter: {planId: $id}, first: 100) { edges { node { action node } } } verifyAuditTrail { ok checked message } }`, { id })
      const events = audit.data.auditEvents.edges.map((e: any) => e.node)
      expect(events.filter((e: any) => e.action === 'change.applied').map((e: any) => e.node).sort(), `run ${run}`).toEqual([...nodes].sort())
      expect(events.filter((e: any) => e.action === 'plan.applied')).toHaveLength(1)
      if (events.some((e: any) => e.action === 'plan.resumed')) report.resumed++
      expect(audit.data.verifyAuditTrail, `run ${run}`).toMatchObject({ ok: true })
    }
  } finally {
    await proc.kill('SIGKILL')
    await sim.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return report
}
