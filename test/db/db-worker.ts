// A second process on the same database, for tests of what must hold across processes.
// argv[2] = database URL. Reads one JSON command per stdin line, answers one JSON line each:
// {"op":"transition","args":[...]} | {"op":"startApply","args":[...]} | {"op":"append","count":n,"actor":"..."}
import { createInterface } from 'node:readline'
import { openDatabase } from '../../src/adapters/db/database.js'

const db = await openDatabase(process.argv[2]!)
process.stdout.write(JSON.stringify({ ready: true }) + '\n')

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { op: string; args?: unknown[]; count?: number; actor?: string }
  let result: unknown
  try {
    if (command.op === 'transition') result = await (db.plans.transition as (...a: unknown[]) => Promise<unknown>)(...command.args!)
    else if (command.op === 'startApply') result = await (db.plans.startApply as (...a: unknown[]) => Promise<unknown>)(...command.args!)
    else if (command.op === 'append') {
      const appends = Array.from({ length: command.count! }, (_, i) => db.audit.append({ actor: command.actor!, action: 'test.event', detail: { i } }))
      result = (await Promise.all(appends)).length
    } else throw new Error(`unknown op ${command.op}`)
    process.stdout.write(JSON.stringify({ result }) + '\n')
  } catch (error) {
    process.stdout.write(JSON.stringify({ error: String(error) }) + '\n')
  }
}
await db.close()
