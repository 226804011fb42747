// A rollout survives its process: nodeplan killed (SIGKILL) right after startRollout, in the
// middle of a wave's drain, and again while a wave is in maintenance; a new process on the same
// database goes on from the stored state, making each wave's plans once.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js'
import { eventually } from '../support/eventually.js'
import { startNodeplanProcess, type NodeplanProcess } from '../support/nodeplan-process.js'

const FIELDS = 'id status waitingFor waves { status nodes { name stage } plans { id kind status rolloutId } }'

describe('a rollout across restarts of nodeplan', () => {
  let sim: RunningSimulator
  let dir: string
  let proc: NodeplanProcess | null = null

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nodeplan-rollout-restart-'))
    sim = await startSimulator({ port: 0, kubeconfigOut: join(dir, 'kubeconfig') })
  })
  afterAll(async () => {
    await proc?.kill()
    await sim?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const args = () => ['--port', '0', '--database', `file:${join(dir, 'nodeplan.db')}`, '--kubeconfig', join(dir, 'kubeconfig')]
  const ok = async (query: string, variables: Record<string, unknown>) => {
    const res = await proc!.gql(query, variables)
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined()
    return res.data
  }
  const rollout = async (id: string) => (await ok(`query($id: ID!) { rollout(id: $id) { ${FIELDS} } }`, { id })).rollout
  // A new process is another lease owner: it takes the rollout (and a plan left APPLYING) over once
  // the dead one's leases expired, here after 2 s.
  const ENV = { NODEPLAN_APPLY_LEASE_SECONDS: '2' }
  const restart = async () => {
    await proc!.kill('SIGKILL')
    proc = await startNodeplanProcess(args(), ENV)
  }
  const drainTaint = (node: string) => sim.sim.state().nodes.find((n) => n.name === node)!.taints.some((t) => t.key === 'runai' && t.effect === 'NoExecute')

  it('goes on in a new process from wherever the old one was killed, each plan made and applied once', async () => {
    proc = await startNodeplanProcess(args(), ENV)
    const planned = (await ok(`mutation { planRollout(input: { reason: "CHG-11 restart", nodes: ["gpu-1", "gpu-2", "gpu-3", "gpu-4"], order: ["gpu-1", "gpu-2", "gpu-3", "gpu-4"], maxUnavailable: "2" }) { id } }`, {})).planRollout
    const id = planned.id as string
    // Slow node writes, so the kill lands while wave 1 is being drained.
    sim.sim.setFaults({ latencyMs: 200, paths: '^/api/v1/nodes/' })
    await ok(`mutation($id: ID!) { startRollout(id: $id) { id } }`, { id })
    await restart()
    sim.sim.setFaults(null)

    let now = await eventually(async () => {
      const current = await rollout(id)
      expect(current.waves[0].nodes.map((n: any) => n.stage)).toEqual(['IN_MAINTENANCE', 'IN_MAINTENANCE'])
      return current
    }, 30_000)
    expect(now.waves[0].plans).toEqual([expect.objectContaining({ kind: 'DRAIN', status: 'APPLIED', rolloutId: id })])
    expect(drainTaint('gpu-1') && drainTaint('gpu-2')).toBe(true)

    // Killed again while wave 1 is in maintenance: the new process takes the completion.
    await restart()
    for (const node of ['gpu-1', 'gpu-2']) await ok(`mutation($id: ID!, $n: String!) { completeMaintenance(rolloutId: $id, node: $n) { id } }`, { id, n: node })
    now = await eventually(async () => {
      const current = await rollout(id)
      expect(current.waves[1].nodes.map((n: any) => n.stage)).toEqual(['IN_MAINTENANCE', 'IN_MAINTENANCE'])
      return current
    }, 30_000)
    expect(drainTaint('gpu-1') || drainTaint('gpu-2')).toBe(false)
    await restart()
    for (const node of ['gpu-3', 'gpu-4']) await ok(`mutation($id: ID!, $n: String!) { completeMaintenance(rolloutId: $id, node: $n) { id } }`, { id, n: node })
    now = await eventually(async () => {
      const current = await rollout(id)
      expect(current.status).toBe('COMPLETED')
      return current
    }, 30_000)
    expect(now.waves.map((w: any) => w.plans.map((p: any) => `${p.kind}:${p.status}`))).toEqual([
      ['DRAIN:APPLIED', 'UNDRAIN:APPLIED'],
      ['DRAIN:APPLIED', 'UNDRAIN:APPLIED'],
    ])
    // Exactly those four plans belong to the rollout: none made twice across the kills.
    const plans = (await ok(`{ plans(first: 100) { edges { node { kind rolloutId } } } }`, {})).plans.edges.filter((e: any) => e.node.rolloutId === id)
    expect(plans).toHaveLength(4)
    const steps = (await ok(`query { auditEvents(filter: { action: "rollout.wave.started" }, first: 50) { edges { node { detail } } } }`, {})).auditEvents.edges
    expect(steps.map((e: any) => e.node.detail.wave).sort()).toEqual([0, 1])
  })
})
