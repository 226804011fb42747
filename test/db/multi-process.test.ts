// Two processes on one database: the guarantees must come from the database, not process memory.
import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, drainDraft, openTempDatabase } from './temp-database.js'
import type { TempDatabase } from './temp-database.js'

interface Worker {
  send(command: object): Promise<{ result?: unknown; error?: string }>
  stop(): Promise<void>
}

async function startWorker(url: string): Promise<Worker> {
  const script = fileURLToPath(new URL('./db-worker.ts', import.meta.url))
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', script, url], { stdio: 'pipe' })
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async () => {
    const { value, done } = await lines.next()
    if (done) throw new Error(`worker exited: ${stderr}`)
    return JSON.parse(value as string)
  }
  await next()
  return {
    send: async (command) => {
      child.stdin.write(JSON.stringify(command) + '\n')
      return next()
    },
    stop: async () => {
      child.stdin.end()
      await new Promise((resolve) => child.once('exit', resolve))
    },
  }
}

describe.each(backends)('two processes on one %s database', (backend) => {
  let t: TempDatabase
  let worker: Worker
  beforeAll(async () => {
    t = await openTempDatabase(backend)
    worker = await startWorker(t.url)
  })
  afterAll(async () => {
    await worker?.stop()
    await t?.cleanup()
  })

  it('should let exactly one of them move a plan from PENDING to APPLYING', async () => {
    const plan = await t.db.plans.create(drainDraft(['gpu-1']), { actor: 'alice', action: 'plan.created' })
    const [here, there] = await Promise.all([
      t.db.plans.transition(plan.id, ['PENDING'], 'APPLYING', {}, { actor: 'here', action: 'plan.applying' }),
      worker.send({ op: 'transition', args: [plan.id, ['PENDING'], 'APPLYING', {}, { actor: 'there', action: 'plan.applying' }] }),
    ])
    expect(there.error).toBeUndefined()
    expect([here !== null, there.result !== null].filter(Boolean)).toHaveLength(1)
    expect((await t.db.audit.list({ planId: plan.id, action: 'plan.applying' }, 10, null)).totalCount).toBe(1)
  })

  it('should give a node to exactly one of two plans starting on it at once, and make only that one APPLYING', async () => {
    const one = await t.db.plans.create(drainDraft(['x', 'y']), { actor: 'alice', action: 'plan.created' })
    const two = await t.db.plans.create(drainDraft(['y', 'x']), { actor: 'alice', action: 'plan.created' })
    const [here, there] = await Promise.all([
      t.db.plans.startApply(one.id, ['PENDING'], {}, { actor: 'here', action: 'plan.applying' }),
      worker.send({ op: 'startApply', args: [two.id, ['PENDING'], {}, { actor: 'there', action: 'plan.applying' }] }),
    ])
    expect(there.error).toBeUndefined()
    const results = [here, there.result as object]
    expect(results.filter((r) => 'started' in r)).toHaveLength(1)
    expect(results.filter((r) => 'locked' in r)).toHaveLength(1)
    const holders = await t.sql(`SELECT DISTINCT "planId" FROM "NodeLock" WHERE "node" IN ('x', 'y')`)
    expect(holders).toHaveLength(1)
    const applying = await t.sql(`SELECT "id" FROM "Plan" WHERE "status" = 'APPLYING' AND "id" IN ('${one.id}', '${two.id}')`)
    expect(applying).toEqual([{ id: holders[0]!.planId }])
  })

  it('should keep concurrent appends from both processes one unbroken chain', async () => {
    const before = (await t.db.audit.list({}, 0, null)).totalCount
    const here = Array.from({ length: 40 }, (_, i) => t.db.audit.append({ actor: 'here', action: 'test.event', detail: { i } }))
    const [there] = await Promise.all([worker.send({ op: 'append', count: 40, actor: 'there' }), ...here])
    expect(there).toEqual({ result: 40 })

    const seqs = (await t.sql(`SELECT "seq" FROM "AuditEvent" ORDER BY "seq"`)).map((row) => Number(row.seq))
    expect(seqs).toEqual(Array.from({ length: before + 80 }, (_, i) => i + 1))
    expect(await t.db.audit.verify()).toEqual({ checked: before + 80, firstBroken: null, problem: null, keyed: false })
  })

  it('should verify a consistent chain while the other process keeps appending', async () => {
    const appending = worker.send({ op: 'append', count: 150, actor: 'there' })
    let done = false
    void appending.then(() => (done = true))
    const results = []
    do {
      results.push(await t.db.audit.verify())
      await new Promise((resolve) => setImmediate(resolve)) // let the worker's answer in (SQLite reads never yield)
    } while (!done)
    expect(await appending).toEqual({ result: 150 })
    expect(results.length).toBeGreaterThan(1)
    expect(results.filter((r) => r.problem !== null)).toEqual([])
  })
})
