// Two nodeplan processes on one PostgreSQL database and one (simulated) cluster: every guarantee
// must come from the database, none from process memory.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../src/adapters/db/database.js'
import { eventually } from '../support/eventually.js'
import { TEST_TOKENS } from '../support/nodeplan.js'
import { SIM_START, startTestCluster, type TestCluster } from '../support/simulator.js'
import { createTestDatabase, PG_ADMIN_URL } from './pg-server.js'

const { operator, operator2, approver, viewer } = TEST_TOKENS
/** The worker's apply lease (replica-worker.ts). */
const LEASE_MS = 30_000

interface Replica {
  owner: string
  url: string
  gql(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ data?: any; errors?: any[] }>
  send(command: object): Promise<any>
  kill(): Promise<void>
  stop(): Promise<void>
}

async function startReplica(database: string, cluster: TestCluster, tokens: string, owner: string): Promise<Replica> {
  const script = fileURLToPath(new URL('./replica-worker.ts', import.meta.url))
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', script, database, cluster.kubeconfigPath, tokens, owner], { stdio: 'pipe' })
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async () => {
    const { value, done } = await lines.next()
    if (done) throw new Error(`replica ${owner} exited:\n${stderr}`)
    const answer = JSON.parse(value as string)
    if (answer.error) throw new Error(answer.error)
    return answer
  }
  const { url } = await next()
  return {
    owner,
    url,
    async gql(query, variables, token: string = operator) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      })
      return (await res.json()) as { data?: any; errors?: any[] }
    },
    async send(command) {
      child.stdin.write(JSON.stringify(command) + '\n')
      return (await next()).result
    },
    async kill() {
      child.kill('SIGKILL')
      await exited
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.stdin.end()
      await exited
    },
  }
}

const PLAN = 'id kind status createdBy approvedBy appliedBy changes { node applied error }'

if (!PG_ADMIN_URL) console.warn('test/postgres/replicas: NODEPLAN_TEST_PG_URL is not set, two replicas on PostgreSQL NOT tested (see availability.test.ts)')

describe.runIf(PG_ADMIN_URL)('two nodeplan replicas on one PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> }
  let cluster: TestCluster
  let a: Replica
  let b: Replica
  let db: Database

  const ok = async (replica: Replica, query: string, variables: Record<string, unknown> = {}, token: string = operator) => {
    const res = await replica.gql(query, variables, token)
    expect(res.errors, `${replica.owner}: ${query}`).toBeUndefined()
    return res.data
  }
  const plan = async (replica: Replica, id: string) => (await ok(replica, `query($id: ID!) { plan(id: $id) { ${PLAN} } }`, { id }, viewer)).plan
  const drain = async (replica: Replica, nodes: string[]) =>
    (await ok(replica, `mutation($nodes: [String!]!) { planDrain(input: {nodes: $nodes, reason: "replica test"}) { id } }`, { nodes })).planDrain.id as string
  const patches = (node: string) => cluster.sim.requests().filter((r) => r.resource === 'nodes' && r.verb === 'patch' && r.name === node && r.code > 0 && r.code < 300).length

  beforeAll(async () => {
    database = await createTestDatabase()
    cluster = await startTestCluster({ startTime: SIM_START, gpuNodes: 8 })
    const tokens = join(cluster.dir, 'tokens.json')
    writeFileSync(tokens, JSON.stringify(Object.entries(TEST_TOKENS).map(([subject, token]) => ({ token, subject, role: subject.replace(/\d+$/, '') }))))
    // Both start at once on an empty database: one migrates it, the other waits its turn.
    ;[a, b] = await Promise.all([startReplica(database.url, cluster, tokens, 'replica-a'), startReplica(database.url, cluster, tokens, 'replica-b')])
    db = await openDatabase(database.url)
  })
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    await db?.close()
    await cluster?.close()
    await database?.drop()
  })

  it('should show a plan made on one replica on the other, where a second person approves and applies it', async () => {
    const id = (await ok(a, `mutation { planDecommission(input: {nodes: ["gpu-8"], reason: "CHG-9 chassis"}) { id } }`)).planDecommission.id as string
    expect(await plan(b, id)).toMatchObject({ kind: 'DECOMMISSION', status: 'PENDING', createdBy: 'operator' })
    expect((await ok(b, `mutation($id: ID!) { approvePlan(id: $id) { status } }`, { id }, approver)).approvePlan.status).toBe('APPROVED')
    expect((await plan(a, id)).approvedBy).toBe('approver')
    const applied = (await ok(b, `mutation($id: ID!) { applyPlan(id: $id) { ${PLAN} } }`, { id }, operator2)).applyPlan
    expect(applied).toMatchObject({ status: 'APPLIED', approvedBy: 'approver', appliedBy: 'operator2' })
    expect(await plan(a, id)).toMatchObject({ status: 'APPLIED', appliedBy: 'operator2' })
    expect(cluster.sim.state().nodes.map((n) => n.name)).not.toContain('gpu-8')
  })

  it('should apply a plan sent to both replicas at once exactly once', async () => {
    const id = await drain(a, ['gpu-1', 'gpu-2'])
    const apply = (r: Replica) => r.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id })
    const answers = await Promise.all([apply(a), apply(b)])
    const won = answers.filter((res) => res.data?.applyPlan?.status === 'APPLIED')
    const refused = answers.filter((res) => res.errors)
    expect(won).toHaveLength(1)
    expect(refused).toHaveLength(1)
    expect(['PLAN_NOT_APPLICABLE', 'LOCKED']).toContain(refused[0]!.errors![0].extensions.code)
    expect([patches('gpu-1'), patches('gpu-2')]).toEqual([1, 1])
    const started = await db.audit.list({ planId: id, action: 'plan.applying' }, 10, null)
    expect(started.totalCount).toBe(1)
  })

  it('should keep one ordered, hash-chained audit trail while both replicas write at once', async () => {
    const work = (r: Replica, node: string) => async () => {
      const id = await drain(r, [node])
      await ok(r, `mutation($id: ID!) { discardPlan(id: $id) { status } }`, { id })
    }
    await Promise.all([a, b].flatMap((r) => ['gpu-5', 'gpu-6', 'gpu-7'].map((node) => work(r, node)())))
    const page = await db.audit.list({}, 500, null)
    const seqs = page.items.map((e) => e.seq).reverse()
    expect(seqs).toEqual(Array.from({ length: page.totalCount }, (_, i) => i + 1))
    expect(page.items.filter((e) => e.action === 'plan.discarded')).toHaveLength(6)
    expect(await db.audit.verify()).toEqual({ checked: page.totalCount, firstBroken: null, problem: null, keyed: false })
  })

  it('should let the other replica finish a plan whose replica was killed mid-apply, once its lease expired', async () => {
    const nodes = ['gpu-3', 'gpu-4', 'gpu-5', 'gpu-6']
    const id = await drain(a, nodes)
    // Slow every read and write of a single node, so the apply is wide open to a kill.
    cluster.sim.setFaults({ latencyMs: 200, paths: '^/api/v1/nodes/' })
    void a.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id }).catch(() => undefined)
    await eventually(async () => {
      const now = await plan(b, id)
      expect(now.status).toBe('APPLYING')
      expect(now.changes.filter((c: any) => c.applied).length).toBeGreaterThanOrEqual(1)
    }, 20_000)
    // While a is alive and within its lease, b takes nothing over.
    expect(await b.send({ op: 'sweep' })).toEqual([])
    await a.kill()
    expect((await plan(b, id)).status).toBe('APPLYING')
    expect(await b.send({ op: 'sweep' }), 'the dead replica\'s lease has not expired yet').toEqual([])

    // Each replica's lease clock starts at its own start-up and only moves when told; the replicas
    // started seconds apart, so move b well past a's lease rather than just past one lease length.
    await b.send({ op: 'advance', ms: 10 * LEASE_MS })
    expect(await b.send({ op: 'sweep' })).toEqual([{ id, status: 'APPLIED' }])
    cluster.sim.setFaults(null)

    const done = await plan(b, id)
    expect(done.changes.every((c: any) => c.applied && c.error === null)).toBe(true)
    // Written once each, across both replicas: a PATCH a killed at the wire is found already done.
    expect(nodes.map(patches)).toEqual(nodes.map(() => 1))
    const events = (await db.audit.list({ planId: id }, 100, null)).items.reverse()
    expect(events.map((e) => e.action).filter((x) => x.startsWith('plan.'))).toEqual(['plan.created', 'plan.applying', 'plan.resumed', 'plan.applied'])
    expect(events.find((e) => e.action === 'plan.resumed')).toMatchObject({ actor: 'system', detail: { by: 'replica-b' } })
    expect(events.filter((e) => e.action === 'change.applied').map((e) => e.node).sort()).toEqual(nodes)
    expect(await b.send({ op: 'sweep' }), 'nothing left to take over').toEqual([])
    expect((await db.audit.verify()).problem).toBeNull()
  })
})
