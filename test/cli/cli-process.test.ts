// The real CLI (node bin/nodeplan.mjs …) as a process against a real server; the apply prompt
// through a pseudo-terminal made by util-linux `script`.
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, cliEnv, runCli, type Run } from '../support/cli.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { has } from '../support/prerequisites.js'

const ANSI = /\x1b\[[0-9;]*m/

describe('nodeplan CLI against a running server', () => {
  let np: TestNodeplan
  const env = (token: string) => cliEnv(np.url, token)
  const cli = (args: string[], token: string = TEST_TOKENS.operator): Promise<Run> => runCli(np.url, args, token)

  /** Runs the CLI on a pty (script(1)) and types `answer` once the prompt is on the screen. */
  const cliOnTerminal = (args: string[], answer: string): Promise<Run> =>
    new Promise((resolve, reject) => {
      const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
      const proc = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { env: { ...env(TEST_TOKENS.operator), TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] })
      let stdout = ''
      let answered = false
      proc.stdout.on('data', (c: Buffer) => {
        stdout += c.toString()
        if (!answered && stdout.includes('Enter a value:')) {
          answered = true
          proc.stdin.write(`${answer}\r`)
        }
      })
      proc.on('error', reject)
      proc.on('close', (code) => resolve({ code, stdout, stderr: '' }))
    })

  const planDrain = async (node: string) => {
    const res = await np.gql(`mutation { planDrain(input: {nodes: ["${node}"], reason: "CHG-cli"}) { id } }`, {}, TEST_TOKENS.operator)
    return res.data.planDrain.id as string
  }
  const status = async (id: string) => (await np.gql(`query($id: ID!) { plan(id: $id) { status } }`, { id }, TEST_TOKENS.viewer)).data.plan.status

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
  })
  afterAll(async () => {
    await np?.close()
  })

  it('nodes: a kubectl-like table, and JSON with --output json', async () => {
    const [text, json] = await Promise.all([cli(['nodes'], TEST_TOKENS.viewer), cli(['nodes', '--output', 'json'], TEST_TOKENS.viewer)])
    expect(text.code).toBe(0)
    const lines = text.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+DRAINING\s+GPUS\s+WORKLOADS$/)
    expect(lines.find((l) => l.startsWith('gpu-1 '))).toMatch(/^gpu-1\s+Ready\s+gpu-worker\s+no\s+\d+(\.\d)?\/8\s+\d+$/)
    expect(json.code).toBe(0)
    const nodes = JSON.parse(json.stdout)
    expect(nodes.map((n: any) => n.name)).toEqual(lines.slice(1).map((l) => l.split(/\s+/)[0]))
  })

  it('plan drain prints the diff plainly when not on a terminal, the id and the next command; --detailed-exitcode gives 2', async () => {
    const run = await cli(['plan', 'drain', 'gpu-1', '--reason', 'CHG-1 replace PSU', '--detailed-exitcode'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(2)
    expect(run.stdout).not.toMatch(ANSI)
    expect(run.stdout).toContain('+ taint "runai:NoExecute"')
    expect(run.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.')
    const id = /nodeplan apply (\S+)/.exec(run.stdout)![1]!
    expect(await status(id)).toBe('PENDING')

    const json = await cli(['show', id, '--output', 'json'], TEST_TOKENS.viewer)
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toMatchObject({ id, kind: 'DRAIN', status: 'PENDING', nodes: ['gpu-1'], impact: { gpus: 8 } })
  })

  it('errors go to stderr with the server\'s code, exit 1', async () => {
    const id = await planDrain('gpu-2')
    const own = await cli(['approve', id])
    expect(own.code).toBe(1)
    expect(own.stdout).toBe('')
    expect(own.stderr).toMatch(/^Error: .+ \(FORBIDDEN\)\n$/)
    const missing = await cli(['show', 'plan-nope'], TEST_TOKENS.viewer)
    expect([missing.code, missing.stderr]).toEqual([1, 'Error: no plan with id "plan-nope" (NOT_FOUND)\n'])
    const bad = await cli(['plan', 'drain', 'gpu-2'])
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('--reason is required')])
  })

  it('apply refuses without a terminal unless --auto-approve; with it, JSON of the applied plan; history shows it', async () => {
    const id = await planDrain('gpu-3')
    const refused = await cli(['apply', id])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('pass --auto-approve')
    expect(await status(id)).toBe('PENDING')

    const applied = await cli(['apply', id, '--auto-approve', '--output', 'json'])
    expect(applied.stderr).toBe('')
    expect(applied.code).toBe(0)
    expect(JSON.parse(applied.stdout)).toMatchObject({ id, status: 'APPLIED', changes: [{ applied: true }] })

    const history = await cli(['history', '--plan', id, '--output', 'json'], TEST_TOKENS.viewer)
    expect(history.code).toBe(0)
    expect(JSON.parse(history.stdout).map((e: any) => e.action)).toEqual(['plan.applied', 'change.applied', 'plan.applying', 'plan.created'])
  })

  it.runIf(has('pty'))('apply on a terminal: colours, the question, "yes" applies with live progress', async () => {
    const id = await planDrain('gpu-4')
    const run = await cliOnTerminal(['apply', id], 'yes')
    expect(run.code).toBe(0)
    const screen = run.stdout
    expect(screen).toContain('\x1b[32m+\x1b[0m taint "runai:NoExecute"')
    expect(screen).toContain("Only 'yes' will be accepted to approve.")
    expect(screen).toMatch(/node\/gpu-4\/taint\/runai:NoExecute: .*applied/)
    expect(screen).toContain('Apply complete!')
    expect(await status(id)).toBe('APPLIED')
  })

  it.runIf(has('pty'))('apply on a terminal: any other answer cancels and applies nothing', async () => {
    const id = await planDrain('gpu-5')
    const run = await cliOnTerminal(['apply', id], 'y')
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('Apply cancelled.')
    expect(run.stdout).not.toContain('Apply complete!')
    expect(await status(id)).toBe('PENDING')
  })
})

describe('nodeplan CLI output larger than a pipe holds', () => {
  let np: TestNodeplan
  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true, simulator: { gpuNodes: 150 } })
  })
  afterAll(async () => {
    await np?.close()
  })

  it('writes all of it before exiting', async () => {
    const run = await runCli(np.url, ['nodes', '--output', 'json'], TEST_TOKENS.viewer)
    expect(run.code).toBe(0)
    // Far more than the 64 KB a pipe buffers: what exiting without waiting for it would cut off.
    expect(run.stdout.length).toBeGreaterThan(128 * 1024)
    expect(JSON.parse(run.stdout)).toHaveLength(154)
  })

  it('stops quietly when the reader stops early, as `| head` does', async () => {
    const run = await runCli(np.url, ['nodes', '--output', 'json'], TEST_TOKENS.viewer, 0)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
  })
})
