// `nodeplan serve` twice — the start command of the image, the Deployment and npm start — on one
// PostgreSQL database: a plan applied through both processes at once is applied exactly once.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js'
import { code } from '../support/graphql-client.js'
import { startNodeplanProcess, type NodeplanProcess } from '../support/nodeplan-process.js'
import { createTestDatabase, PG_ADMIN_URL } from './pg-server.js'

describe.runIf(PG_ADMIN_URL)('two `nodeplan serve` processes on one PostgreSQL', () => {
  let dir: string
  let sim: RunningSimulator
  let database: { url: string; drop(): Promise<void> }
  let replicas: NodeplanProcess[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nodeplan-serve-pg-'))
    sim = await startSimulator({ port: 0, kubeconfigOut: join(dir, 'kubeconfig') })
    database = await createTestDatabase()
    const args = ['--port', '0', '--database', database.url, '--kubeconfig', join(dir, 'kubeconfig')]
    replicas = await Promise.all([startNodeplanProcess(args), startNodeplanProcess(args)])
  })
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.kill('SIGTERM')))
    await sim?.close()
    await database?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('should apply a plan made on one and applied through both at once exactly once', async () => {
    const [a, b] = replicas as [NodeplanProcess, NodeplanProcess]
    for (const r of replicas) expect(r.lines.join('\n')).toContain('"database":"postgresql"')
    const planned = await a.gql(`mutation { planDrain(input: {nodes: ["gpu-2"], reason: "two processes"}) { id } }`)
    const id = planned.data.planDrain.id as string
    sim.sim.clearRequests()
    const answers = await Promise.all([a, b].map((r) => r.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id })))
    expect(answers.filter((res) => res.data?.applyPlan?.status === 'APPLIED')).toHaveLength(1)
    expect(answers.filter((res) => res.errors).map(code)).toEqual([expect.stringMatching(/^(PLAN_NOT_APPLICABLE|LOCKED)$/)])
    expect(sim.sim.requests().filter((r) => r.verb === 'patch' && r.name === 'gpu-2' && r.code < 300)).toHaveLength(1)
    const audit = await b.gql(`query($id: ID!) { auditEvents(filter: {planId: $id}, first: 20) { edges { node { action } } } }`, { id })
    expect(audit.data.auditEvents.edges.map((e: any) => e.node.action).filter((x: string) => x.startsWith('plan.'))).toEqual(['plan.applied', 'plan.applying', 'plan.created'])
  })
})
