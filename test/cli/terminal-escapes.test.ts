// Rows forged straight into the database (text the API would refuse) reach `nodeplan show` and
// `nodeplan history`: the real CLI prints them escaped, never as bytes a terminal obeys.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

const BIN = fileURLToPath(new URL('../../bin/nodeplan.mjs', import.meta.url))
/** What a terminal would act on or hide: C0 but newline, DEL, C1, bidi controls, zero-width space. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u202a-\u202e\u2066-\u2069]/u

const REASON = 'CHG-1 \x1b[2J\x1b]0;owned\x07\nApproved by alice \u202etxt.exe\u2066hidden\u2069'
const ACTOR = 'mallory\x1b[8m'
const DETAIL = JSON.stringify({ note: 'done\r\u009b2K forged', 'k\x1b[1m': 1 })

function cli(url: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODEPLAN_URL: url, NODEPLAN_TOKEN: TEST_TOKENS.viewer },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    proc.on('error', reject)
    proc.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('the CLI prints forged stored text escaped', () => {
  let np: TestNodeplan
  let id: string
  let rolloutId: string

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
    const res = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-1"], reason: "CHG-1"}) { id } }`, {}, TEST_TOKENS.operator)
    id = res.data.planDrain.id
    const rollout = await np.gql(`mutation { planRollout(input: {nodes: ["gpu-2"], reason: "CHG-2"}) { id } }`, {}, TEST_TOKENS.operator)
    rolloutId = rollout.data.planRollout.id
    const file = new Database(join(np.dir, 'nodeplan.db'))
    try {
      file.prepare(`UPDATE "Plan" SET "reason" = ?, "createdBy" = ? WHERE "id" = ?`).run(REASON, ACTOR, id)
      file.prepare(`UPDATE "Rollout" SET "reason" = ?, "createdBy" = ?, "waitingFor" = ? WHERE "id" = ?`).run(REASON, ACTOR, REASON, rolloutId)
      file.prepare(`UPDATE "AuditEvent" SET "actor" = ?, "detail" = ? WHERE "planId" = ?`).run(ACTOR, DETAIL, id)
    } finally {
      file.close()
    }
  })
  afterAll(async () => {
    await np?.close()
  })

  it('nodeplan show', async () => {
    const run = await cli(np.url, ['show', id])
    expect(run.code).toBe(0)
    expect(run.stdout).not.toMatch(RAW)
    expect(run.stdout).toContain('Reason: CHG-1 \\u{1b}[2J\\u{1b}]0;owned\\u{7}\\u{a}Approved by alice \\u{202e}txt.exe\\u{2066}hidden\\u{2069}\n')
    expect(run.stdout).toContain('created by mallory\\u{1b}[8m')
    expect(run.stdout.split('\n').filter((line) => line.startsWith('Approved by'))).toEqual([])
  })

  it('nodeplan history', async () => {
    const run = await cli(np.url, ['history', '--plan', id])
    expect(run.code).toBe(0)
    expect(run.stdout).not.toMatch(RAW)
    expect(run.stdout).toContain('mallory\\u{1b}[8m')
    expect(run.stdout).toContain('note="done\\u{d}\\u{9b}2K forged"')
    expect(run.stdout).toContain('k\\u{1b}[1m=1')
  })

  it('nodeplan rollout status and nodeplan rollouts', async () => {
    const [status, list] = await Promise.all([cli(np.url, ['rollout', 'status', rolloutId]), cli(np.url, ['rollouts'])])
    for (const run of [status, list]) {
      expect(run.code).toBe(0)
      expect(run.stdout).not.toMatch(RAW)
    }
    expect(status.stdout).toContain('"CHG-1 \\u{1b}[2J\\u{1b}]0;owned\\u{7}\\u{a}Approved by alice \\u{202e}txt.exe\\u{2066}hidden\\u{2069}"')
    expect(status.stdout).toContain('created by mallory\\u{1b}[8m')
    expect(status.stdout.split('\n').filter((line) => line.startsWith('Approved by'))).toEqual([])
    expect(list.stdout).toContain('mallory\\u{1b}[8m')
    const json = await cli(np.url, ['rollout', 'status', rolloutId, '--output', 'json'])
    expect(json.stdout).not.toMatch(RAW)
    expect(JSON.parse(json.stdout)).toMatchObject({ reason: REASON, createdBy: ACTOR, waitingFor: REASON })
  })

  it('--output json: no raw control character, and the values parse back exactly', async () => {
    const [show, history] = await Promise.all([cli(np.url, ['show', id, '--output', 'json']), cli(np.url, ['history', '--plan', id, '--output', 'json'])])
    expect(show.stdout).not.toMatch(RAW)
    expect(JSON.parse(show.stdout)).toMatchObject({ reason: REASON, createdBy: ACTOR })
    expect(history.stdout).not.toMatch(RAW)
    expect(JSON.parse(history.stdout)[0]).toMatchObject({ actor: ACTOR, detail: JSON.parse(DETAIL) })
  })
})
