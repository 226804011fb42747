// The CLI as an operator uses it every day: global options first, nodes filters, plans awaiting
// me, readable history in pages, verify, "did you mean", and a failing API server named as such.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, type Run } from '../support/cli.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

const { viewer, operator, approver, admin } = TEST_TOKENS

describe('nodeplan CLI for daily operation', () => {
  let np: TestNodeplan
  const cli = (args: string[], token: string = operator): Promise<Run> => runCli(np.url, args, token)

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
  })
  afterAll(async () => {
    await np?.close()
  })

  it('takes global options before the command, and filters nodes by prefix, role, label and draining', async () => {
    const run = await runCli(np.url, ['--token', viewer, '--no-color', 'nodes', 'gpu-', '--role', 'gpu-worker', '-l', 'kubernetes.io/os=linux'], '')
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['gpu-1', 'gpu-2', 'gpu-3', 'gpu-4', 'gpu-5', 'gpu-6'])
    const none = await cli(['nodes', '--draining'], viewer)
    expect([none.code, none.stdout]).toEqual([0, 'No nodes match.\n'])
    const json = await runCli(np.url, ['-o', 'json', '--token', viewer, 'nodes', '--role', 'system'], '')
    expect(JSON.parse(json.stdout).every((n: any) => n.roles.includes('SYSTEM'))).toBe(true)
    expect(JSON.parse(json.stdout).length).toBeGreaterThan(0)
  })

  it('suggests the command or kind that was meant', async () => {
    const typo = await cli(['nods'])
    expect(typo.code).toBe(1)
    expect(typo.stderr).toContain('unknown command "nods". Did you mean "nodeplan nodes"?')
    const kind = await cli(['plan', 'decomission', 'gpu-1', '--reason', 'r'])
    expect(kind.stderr).toContain('Did you mean "nodeplan plan decommission"?')
  })

  it('says in the footer whether a plan needs approval; plans --awaiting-me lists what I may approve', async () => {
    const drain = await cli(['plan', 'drain', 'gpu-5', '--reason', 'CHG-5'])
    expect(drain.stdout).toMatch(/Saved the plan as \S+\. It needs no approval\. To perform exactly these actions, run:\n {4}nodeplan apply /)

    const reason = 'INC-4711 the PSU of gpu-6 failed twice this week; the vendor replaces the whole chassis, ticket attached'
    const decommission = await cli(['plan', 'decommission', 'gpu-6', '--reason', reason])
    expect(decommission.stdout).toContain('It needs approval before it can be applied: someone other than operator, with the approver role, runs')
    const id = /nodeplan approve (\S+)/.exec(decommission.stdout)![1]!

    const mine = await cli(['plans', '--awaiting-me'])
    expect(mine.stdout).toBe('No plans await your approval.\n')
    const theirs = await cli(['plans', '--awaiting-me'], approver)
    expect(theirs.stdout).toMatch(new RegExp(`^ID .*APPROVAL\\n${id} +DECOMMISSION +PENDING +gpu-6 .+ operator +awaiting you\\n$`))
    const pending = await cli(['plans', '--status', 'pending'], viewer)
    expect(pending.stdout).toContain('awaiting approval')
    expect(pending.stdout).toContain('not needed')

    expect((await cli(['approve', id], approver)).code).toBe(0)
    expect((await cli(['plans', '--awaiting-me'], approver)).stdout).toBe('No plans await your approval.\n')

    // The plan's events are gpu-6's too, the reason in full.
    const history = await cli(['history', '--node', 'gpu-6'], viewer)
    expect(history.code).toBe(0)
    const lines = history.stdout.split('\n')
    expect(lines.find((l) => l.includes('plan.approved'))).toContain(`reason="${reason}"`)
    expect(lines.find((l) => l.includes('plan.created'))).toContain(`reason="${reason}"`)
  })

  it('history filters by actor and action, and pages with --after', async () => {
    const approvals = await cli(['history', '--actor', 'approver', '--action', 'plan.approved', '--since', '1h', '--output', 'json'], viewer)
    expect(JSON.parse(approvals.stdout).map((e: any) => [e.actor, e.action])).toEqual([['approver', 'plan.approved']])
    const future = await cli(['history', '--since', '2100-01-01'], viewer)
    expect(future.stdout).toBe('No audit events match.\n')

    const first = await cli(['history', '--limit', '1'], viewer)
    const cursor = /run the same command with --after (\S+)/.exec(first.stdout)?.[1]
    expect(cursor).toBeDefined()
    const all = JSON.parse((await cli(['history', '--limit', '2', '--output', 'json'], viewer)).stdout)
    const second = JSON.parse((await cli(['history', '--limit', '1', '--after', cursor!, '--output', 'json'], viewer)).stdout)
    expect(second.map((e: any) => e.id)).toEqual([all[1].id])
  })

  it('verify: the hash chain holds (admin only)', async () => {
    const ok = await cli(['verify'], admin)
    expect([ok.code, ok.stderr]).toEqual([0, ''])
    expect(ok.stdout).toMatch(/^Audit trail intact: \d+ events checked, every link of the hash chain holds\.\n$/)
    const refused = await cli(['verify'], viewer)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('(FORBIDDEN)')
  })

  it('a failing Kubernetes API server is named, with its status, not an internal error', async () => {
    np.sim.sim.setFaults({ errorRate: 1, errorStatus: 500, paths: '^/api/v1/nodes' })
    try {
      const run = await cli(['plan', 'drain', 'gpu-4', '--reason', 'r'])
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/^Error: .*the Kubernetes API server failed: 500 InternalError: .* \(KUBERNETES_API_ERROR\)\n$/)
    } finally {
      np.sim.sim.setFaults({})
    }
  })
})
