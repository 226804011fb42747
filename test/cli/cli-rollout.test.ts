// The rollout commands as processes (node bin/nodeplan.mjs …) against a real server and the
// simulated cluster: plan one, list it, approve and start it, follow it with --watch while each
// node's maintenance is reported done, pause, resume and abort another, and the errors.
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, cliEnv, runCli, type Run } from '../support/cli.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { rolloutDriver } from '../support/rollout.js'
import { SIM_START, startTestCluster, type TestCluster } from '../support/simulator.js'

const ANSI = /\x1b\[[0-9;]*m/

describe('nodeplan rollout commands against a running server', () => {
  let cluster: TestCluster
  let np: TestNodeplan
  // The runner moves rollouts only when ticked, on the simulator's clock.
  const r = rolloutDriver(() => np)
  const cli = (args: string[], token: string = TEST_TOKENS.operator): Promise<Run> => runCli(np.url, args, token)
  const stageOf = async (id: string, node: string): Promise<string> =>
    (await r.get(id, TEST_TOKENS.viewer)).waves.flatMap((w: any) => w.nodes).find((n: any) => n.name === node).stage
  const inMaintenance = (id: string, node: string) => r.until(async () => expect(await stageOf(id, node)).toBe('IN_MAINTENANCE'))
  const statusIs = (id: string, status: string) => r.until(async () => expect((await r.get(id, TEST_TOKENS.viewer)).status).toBe(status))

  /** Plans a rollout of `nodes` with the CLI, one node a wave in that order, and approves it if policy asks; returns its id. */
  const planned = async (nodes: string, reason: string): Promise<string> => {
    const run = await cli(['plan', 'rollout', '--nodes', nodes, '--order', nodes, '--max-unavailable', '1', '--no-complete-on-reboot', '--reason', reason, '-o', 'json'])
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' })
    const rollout = JSON.parse(run.stdout)
    if (rollout.needsApproval) expect((await cli(['rollout', 'approve', rollout.id], TEST_TOKENS.approver)).code).toBe(0)
    return rollout.id
  }
  const start = async (id: string) => {
    const started = await cli(['rollout', 'start', id])
    expect(started, started.stderr).toMatchObject({ code: 0, stderr: '' })
    expect(started.stdout).toMatch(new RegExp(`^Rollout ${id} is (SCHEDULED|RUNNING)`))
  }

  beforeAll(async () => {
    cluster = await startTestCluster({ gpuNodes: 6, nodePools: [{ name: 'a100', nodes: 6 }], startTime: SIM_START })
    np = await startTestNodeplan({ tokens: true, sim: cluster, overrides: { clock: cluster.sim.clock, rolloutIntervalMs: 0 } })
  })
  afterAll(async () => {
    await np?.close()
    await cluster?.close()
  })

  it('plan rollout prints the rollout wave by wave, its id and the next command; rollouts and rollout status show it', async () => {
    const run = await cli(['plan', 'rollout', 'gpu-5', '--nodes', 'gpu-6', '--max-unavailable', '1', '--min-gpus', '8', '--reason', 'CHG-7 driver 550'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).not.toMatch(ANSI)
    expect(run.stdout).toContain('+ taint "runai:NoExecute"')
    expect(run.stdout).toMatch(/gpu-5/)
    const id = /Saved the rollout as (rollout-\S+)\./.exec(run.stdout)![1]!
    expect(run.stdout).toMatch(new RegExp(`nodeplan rollout (approve|start) ${id}`))

    const list = await cli(['rollouts', '-o', 'json'], TEST_TOKENS.viewer)
    expect(list.code).toBe(0)
    expect(JSON.parse(list.stdout)).toContainEqual(expect.objectContaining({ id, status: 'PENDING' }))
    const table = await cli(['rollouts', '--status', 'pending'], TEST_TOKENS.viewer)
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+STATUS\s+WAVE\s+NODES\s+WAITING-FOR\s+CREATED\s+BY$/)
    expect(table.stdout).toMatch(new RegExp(`^${id}\\s+PENDING\\s+\\S+/2\\s+2\\s`, 'm'))

    const status = await cli(['rollout', 'status', id], TEST_TOKENS.viewer)
    expect(status.code).toBe(0)
    expect(status.stdout).toContain(`Rollout ${id}: PENDING`)
    expect(status.stdout).toContain('"CHG-7 driver 550"')
    expect(status.stdout).toMatch(/Wave 1: WAITING/)
    expect(status.stdout).toMatch(/Wave 2: WAITING/)
    expect(status.stdout).toMatch(/guard.*: \d+\/1 out, \d+ GPUs in service \(floor 8\)/)
    expect(status.stdout).toMatch(/^ {4}gpu-[56]\s+a100\s+8\s+WAITING/m)
    expect(status.stdout).toMatch(/^Forecast: /m)

    const discarded = await cli(['rollout', 'discard', id])
    expect([discarded.code, discarded.stdout]).toEqual([0, `Rollout ${id} is DISCARDED.\n`])
  })

  it('--watch prints each node\'s stages as the maintenance is reported done, and exits 0 when COMPLETED', async () => {
    const id = await planned('gpu-1,gpu-2', 'CHG-8 firmware')
    let watched: () => void
    const watchStarted = new Promise<void>((resolve) => (watched = resolve))
    const watching = new Promise<Run>((resolve, reject) => {
      const proc = spawn(process.execPath, [BIN, 'rollout', 'status', id, '--watch', '--no-color'], { env: cliEnv(np.url, TEST_TOKENS.viewer), stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      proc.stdout.on('data', (c: Buffer) => {
        stdout += c.toString()
        if (stdout.includes(`Rollout ${id}: PENDING`) || stdout.includes(`Rollout ${id}: APPROVED`)) watched()
      })
      proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
      proc.on('error', reject)
      proc.on('close', (code) => resolve({ code, stdout, stderr }))
    })
    await Promise.race([watchStarted, watching])
    await start(id)
    for (const node of ['gpu-1', 'gpu-2']) {
      await inMaintenance(id, node)
      const done = await cli(['rollout', 'complete', id, node])
      expect(done.stderr).toBe('')
      expect(done.stdout).toMatch(new RegExp(`^Maintenance of ${node} recorded as done; the node is \\w+\\. Rollout ${id} is \\w+\\.\\n$`))
    }
    await statusIs(id, 'COMPLETED')
    const run = await watching
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const lines = run.stdout.split('\n')
    expect(lines).toContain(`Rollout ${id}: ${(await r.get(id, TEST_TOKENS.viewer)).approvedBy ? 'APPROVED' : 'PENDING'} (wave 1 of 2), 2 nodes — "CHG-8 firmware"`)
    expect(lines).toContain('wave 1 gpu-1: IN_MAINTENANCE')
    expect(lines).toContain('wave 1 gpu-1: CHECKING (maintenance done by operator)')
    expect(lines).toContain('wave 1 gpu-1: DONE')
    expect(lines).toContain('wave 2 gpu-2: DONE')
    expect(lines).toContain(`rollout ${id}: COMPLETED`)
    expect(lines.indexOf('wave 1 gpu-1: DONE')).toBeLessThan(lines.indexOf('wave 2 gpu-2: IN_MAINTENANCE'))
    expect(run.stdout).toContain(`Rollout ${id}: COMPLETED (2 waves)`)
    // A wave's plan, shown on its own, names its rollout; the rollout's events are found by its id.
    const drain = (await r.get(id, TEST_TOKENS.viewer)).waves[0].plans.find((p: any) => p.kind === 'DRAIN')
    expect((await cli(['show', drain.id], TEST_TOKENS.viewer)).stdout).toContain(`\nA wave of rollout ${id}: nodeplan rollout status ${id}\n`)
    const history = JSON.parse((await cli(['history', '--plan', id, '-o', 'json'], TEST_TOKENS.viewer)).stdout)
    expect(history.map((e: any) => e.action)).toEqual(expect.arrayContaining(['rollout.planned', 'rollout.started', 'rollout.maintenance.completed', 'rollout.completed']))
  }, 60_000)

  it('pause, resume, abort: the abort says which nodes it left drained and how to undrain them', async () => {
    const id = await planned('gpu-3,gpu-4', 'CHG-9 kernel')
    await start(id)
    await inMaintenance(id, 'gpu-3')
    const paused = await cli(['rollout', 'pause', id])
    expect(paused.stdout).toMatch(new RegExp(`^Rollout ${id} is PAUSED\\.`))
    expect(paused.stdout).toContain(`Resume with: nodeplan rollout resume ${id}`)
    const resumed = await cli(['rollout', 'resume', id])
    expect(resumed.stdout).toMatch(new RegExp(`^Rollout ${id} is (RUNNING|SCHEDULED)\\.`))

    const noReason = await cli(['rollout', 'abort', id])
    expect([noReason.code, noReason.stderr]).toEqual([1, expect.stringContaining('--reason is required')])
    const aborted = await cli(['rollout', 'abort', id, '--reason', 'INC-9 bad kernel'])
    expect(aborted.stderr).toBe('')
    expect(aborted.code).toBe(0)
    expect(aborted.stdout).toBe(`Rollout ${id} is ABORTED.\nLeft drained: gpu-3. They stay out of service until undrained:\n    nodeplan plan undrain gpu-3 --reason "after rollout ${id}"\n`)
    const json = JSON.parse((await cli(['rollout', 'status', id, '-o', 'json'], TEST_TOKENS.viewer)).stdout)
    expect(json).toMatchObject({ id, status: 'ABORTED', leftDrained: ['gpu-3'] })
  }, 60_000)

  it('errors go to stderr with the server\'s code, exit 1', async () => {
    const missing = await cli(['rollout', 'status', 'rollout-nope'], TEST_TOKENS.viewer)
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([1, '', 'Error: no rollout with id "rollout-nope" (NOT_FOUND)\n'])
    const viewer = await cli(['plan', 'rollout', '--nodes', 'gpu-1', '--reason', 'r'], TEST_TOKENS.viewer)
    expect([viewer.code, viewer.stderr]).toEqual([1, expect.stringMatching(/^Error: .+ \(FORBIDDEN\)\n$/)])
    const unknownNode = await cli(['plan', 'rollout', '--nodes', 'gpu-404', '--reason', 'r'])
    expect([unknownNode.code, unknownNode.stderr]).toEqual([1, expect.stringMatching(/^Error: .*gpu-404.* \((BAD_USER_INPUT|NOT_FOUND)\)\n$/)])
    const badCron = await cli(['plan', 'rollout', '--nodes', 'gpu-1', '--window-cron', 'every night', '--window-duration', '4h', '--reason', 'r'])
    expect([badCron.code, badCron.stderr]).toEqual([1, expect.stringMatching(/^Error: .+ \(BAD_USER_INPUT\)\n$/)])
  })
})
