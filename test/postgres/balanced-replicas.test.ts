// Replicas as an operator runs them: real `nodeplan serve` processes on one PostgreSQL behind a
// round-robin TCP balancer (what a Kubernetes Service does), the simulated cluster behind them.
// What must hold across replicas is checked from what they record: the audit trail and the plans.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js'
import { eventually } from '../support/eventually.js'
import { graphqlClient } from '../support/graphql-client.js'
import { startNodeplanProcess, type NodeplanProcess } from '../support/nodeplan-process.js'
import { startRoundRobinBalancer, type Balancer } from '../support/round-robin-balancer.js'
import { SIM_START } from '../support/simulator.js'
import { createTestDatabase, PG_ADMIN_URL } from './pg-server.js'

const BIN = fileURLToPath(new URL('../../bin/nodeplan.mjs', import.meta.url))
/** Short leases, so a dead replica's work is taken over in seconds. */
const ENV = { NODEPLAN_LEADER_LEASE_SECONDS: '2', NODEPLAN_APPLY_LEASE_SECONDS: '2', NODEPLAN_DOWNTIME_CHECK_SECONDS: '0.2' }

function cli(args: string[], url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [BIN, ...args, '--url', url, '--no-color'], { env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    proc.stdout.on('data', (c) => (stdout += c))
    proc.stderr.on('data', (c) => (stderr += c))
    proc.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

interface AuditRow {
  seq: number
  action: string
  planId: string | null
  node: string | null
  detail: Record<string, unknown> | null
}

describe.runIf(PG_ADMIN_URL)('replicas behind a round-robin balancer on one PostgreSQL', () => {
  let dir: string
  let sim: RunningSimulator
  let database: { url: string; drop(): Promise<void> }
  let args: string[]
  const replicas: NodeplanProcess[] = []
  const balancers: Balancer[] = []

  const start = async () => {
    const replica = await startNodeplanProcess(args, ENV)
    replicas.push(replica)
    return replica
  }
  const live = () => replicas.filter((r) => r.proc.exitCode === null && r.proc.signalCode === null)
  const leaders = async () => {
    const flags = await Promise.all(live().map(async (r) => /^nodeplan_leader\{cluster="default"\} 1$/m.test(await (await fetch(`${r.url}/metrics`)).text())))
    return live().filter((_, i) => flags[i])
  }
  const audit = async (filter: Record<string, unknown>): Promise<AuditRow[]> => {
    const res = await live()[0]!.gql(`query($f: AuditFilter) { auditEvents(filter: $f, first: 500) { edges { node { action planId node detail } } } }`, { f: filter })
    expect(res.errors).toBeUndefined()
    // Oldest first; seq: the position in the chain's order.
    return (res.data.auditEvents.edges as { node: AuditRow }[]).map((e) => e.node).reverse().map((e, seq) => ({ ...e, seq }))
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nodeplan-balanced-'))
    sim = await startSimulator({ port: 0, kubeconfigOut: join(dir, 'kubeconfig'), startTime: SIM_START })
    database = await createTestDatabase()
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ unplannedDrainAfterSeconds: 300 }))
    args = ['--port', '0', '--database', database.url, '--kubeconfig', join(dir, 'kubeconfig'), '--policy', join(dir, 'policy.json')]
    // The first one migrates the database; the others start together.
    await start()
    await Promise.all([start(), start()])
  }, 120_000)
  afterAll(async () => {
    await Promise.all(balancers.map((b) => b.close()))
    await Promise.all(replicas.map((r) => r.kill('SIGKILL')))
    await sim?.close()
    await database?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('nodeplan apply through the balancer of two replicas completes and prints every change, 20 times in a row', async () => {
    const balancer = await startRoundRobinBalancer(replicas.slice(0, 2).map((r) => r.url))
    balancers.push(balancer)
    const gql = graphqlClient(balancer.url)
    for (let i = 0; i < 20; i++) {
      const kind = i % 2 === 0 ? 'planDrain' : 'planUndrain'
      const planned = await gql(`mutation { ${kind}(input: {nodes: ["gpu-1", "gpu-2"], reason: "round ${i}"}) { id changes { address action } } }`)
      expect(planned.errors).toBeUndefined()
      const plan = planned.data[kind] as { id: string; changes: { address: string; action: string }[] }
      const run = await cli(['apply', plan.id, '--auto-approve'], balancer.url)
      expect(run, `round ${i}`).toMatchObject({ code: 0, stderr: '' })
      const changes = plan.changes.filter((c) => c.action !== 'NO_OP')
      expect(changes).toHaveLength(2)
      for (const c of changes) expect(run.stdout.split('\n'), `round ${i}`).toContain(`${c.address}: applied`)
      expect(run.stdout).toContain(`Plan ${plan.id} is APPLIED.`)
    }
    // Both replicas served: requests and progress sockets landed on each.
    expect([...balancer.connections.values()].every((n) => n > 0)).toBe(true)
  }, 90_000)

  it('never lets two plans on one node overlap, applied at once through different replicas (50 pairs)', async () => {
    const [a, b] = live() as [NodeplanProcess, NodeplanProcess]
    const outcomes: string[] = []
    for (let i = 0; i < 50; i++) {
      const node = await a.gql(`{ node(name: "gpu-3") { draining labels { key } } }`)
      const drain = node.data.node.draining ? 'planUndrain' : 'planDrain'
      const one = (await a.gql(`mutation { ${drain}(input: {nodes: ["gpu-3"], reason: "pair ${i}"}) { id status } }`)).data[drain] as { id: string; status: string }
      const roles = i % 2 === 0 ? '[GPU_WORKER, CPU_WORKER]' : '[GPU_WORKER]'
      const two = (await b.gql(`mutation { planRelabel(input: {node: "gpu-3", roles: ${roles}, reason: "pair ${i}"}) { id status } }`)).data.planRelabel as { id: string; status: string }
      const apply = async (r: NodeplanProcess, plan: { id: string; status: string }) => {
        const res = await r.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: plan.id })
        const outcome = res.data?.applyPlan?.status ?? res.errors?.[0]?.extensions?.code
        // A plan that changes nothing (the roles it asks for are already there) is final at once.
        return plan.status === 'NO_CHANGES' && outcome === 'PLAN_NOT_APPLICABLE' ? 'NO_CHANGES' : outcome
      }
      outcomes.push(...(await Promise.all([apply(a, one), apply(b, two)])))
    }
    expect(outcomes.filter((o) => !['APPLIED', 'LOCKED', 'PLAN_STALE', 'NO_CHANGES'].includes(o))).toEqual([])
    expect(outcomes).toContain('APPLIED')

    // From the audit trail: each plan's span from plan.applying to its end; no two spans on gpu-3 overlap.
    const spans = new Map<string, { from: number; to: number }>()
    for (const e of await audit({ node: 'gpu-3' })) {
      if (!e.planId) continue
      if (e.action === 'plan.applying') spans.set(e.planId, { from: e.seq, to: Infinity })
      if (e.action === 'plan.applied' || e.action === 'plan.failed') spans.get(e.planId)!.to = e.seq
    }
    const sorted = [...spans.values()].sort((x, y) => x.from - y.from)
    expect(sorted.length).toBeGreaterThanOrEqual(50)
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.from, `span ${i}`).toBeGreaterThan(sorted[i - 1]!.to)
  }, 120_000)

  it('one outage gives one node.notready and one proposal, even with the leader killed mid-outage', async () => {
    await eventually(async () => expect(await leaders()).toHaveLength(1), 10_000)
    const [leader] = await leaders()
    sim.sim.failNode('gpu-5')
    sim.sim.advance(600)
    const proposal = await eventually(async () => {
      const res = await leader!.gql(`{ plans(node: "gpu-5", first: 10) { edges { node { id kind status createdBy } } } }`)
      const drains = res.data.plans.edges.map((e: any) => e.node).filter((p: any) => p.kind === 'DRAIN' && p.createdBy === 'system')
      expect(drains).toHaveLength(1)
      return drains[0].id as string
    }, 10_000)
    // A person discards it: only the database now says this outage already had its proposal.
    const discarded = await leader!.gql(`mutation($id: ID!) { discardPlan(id: $id) { status } }`, { id: proposal })
    expect(discarded.data.discardPlan.status).toBe('DISCARDED')
    await leader!.kill('SIGKILL')
    const next = await eventually(async () => {
      const now = await leaders()
      expect(now).toHaveLength(1)
      return now[0]!
    }, 15_000)
    expect(next).not.toBe(leader)
    // The new leader took over (it recorded its first renewals) and ran its checks several times.
    await new Promise((resolve) => setTimeout(resolve, 1_500))

    const events = await audit({ node: 'gpu-5' })
    expect(events.filter((e) => e.action === 'node.notready')).toHaveLength(1)
    const plans = await next.gql(`{ plans(node: "gpu-5", first: 10) { edges { node { id kind } } } }`)
    expect(plans.data.plans.edges.map((e: any) => e.node.id)).toEqual([proposal])

    sim.sim.recoverNode('gpu-5')
    await eventually(async () => expect((await audit({ node: 'gpu-5', action: 'node.ready' })).length).toBe(1), 10_000)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await audit({ node: 'gpu-5', action: 'node.ready' })).toHaveLength(1)
  }, 60_000)

  it('a replica killed mid-apply: every plan still ends APPLIED or FAILED, no change written or recorded twice', async () => {
    while (live().length < 3) await start()
    const [a, b, c] = live() as [NodeplanProcess, NodeplanProcess, NodeplanProcess]
    // Slow writes, so the kill lands while the apply is under way.
    sim.sim.setFaults({ latencyMs: 400, paths: '^/api/v1/nodes/gpu-' })
    try {
      const planned = await a.gql(`mutation { planDrain(input: {nodes: ["gpu-4", "gpu-6"], reason: "killed mid-apply"}) { id changes { address } } }`)
      const id = planned.data.planDrain.id as string
      sim.sim.clearRequests()
      const applying = b.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id }).catch(() => null)
      await eventually(async () => expect((await a.gql(`query($id: ID!) { plan(id: $id) { status } }`, { id })).data.plan.status).toBe('APPLYING'), 5_000)
      await b.kill('SIGKILL')
      await applying
      const final = await eventually(async () => {
        const res = await c.gql(`query($id: ID!) { plan(id: $id) { status changes { address applied } } }`, { id })
        expect(['APPLIED', 'FAILED']).toContain(res.data.plan.status)
        return res.data.plan
      }, 20_000)
      expect(final.status).toBe('APPLIED')
      // The replica that finished it says so in its metrics.
      const takeovers = await Promise.all(live().map(async (r) => Number(/^nodeplan_apply_lease_takeovers_total\{cluster="default"\} (\d+)$/m.exec(await (await fetch(`${r.url}/metrics`)).text())?.[1] ?? 0)))
      expect(takeovers.reduce((a, n) => a + n, 0)).toBeGreaterThanOrEqual(1)
      const events = await audit({ planId: id })
      for (const change of planned.data.planDrain.changes as { address: string }[]) {
        expect(events.filter((e) => e.action.startsWith('change.') && e.detail?.address === change.address), change.address).toHaveLength(1)
      }
      expect(events.filter((e) => e.action === 'plan.applied')).toHaveLength(1)
      for (const node of ['gpu-4', 'gpu-6']) {
        // Answered writes (the killed replica's have no answer: code 0) and the node's one drain taint.
        expect(sim.sim.requests().filter((r) => r.verb === 'patch' && r.name === node && r.code >= 200 && r.code < 300).length, node).toBeLessThanOrEqual(1)
        const taints = (sim.sim.nodes.get(undefined, node)!.spec?.taints ?? []) as { key: string; effect: string }[]
        expect(taints.filter((t) => t.key === 'runai' && t.effect === 'NoExecute'), node).toHaveLength(1)
      }
    } finally {
      sim.sim.setFaults({})
    }
  }, 60_000)
})
