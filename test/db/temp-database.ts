// A real SQLite file in a fresh temp dir per test, opened through openDatabase, and a clock the test moves.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../src/adapters/db/database.js'
import type { Database } from '../../src/adapters/db/database.js'
import type { Change, PlanDraft } from '../../src/domain/plan.js'

export class ManualClock {
  constructor(private current = new Date('2026-11-01T10:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current)
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000)
  }
}

export interface TempDatabase {
  dir: string
  file: string
  clock: ManualClock
  db: Database
  cleanup(): Promise<void>
}

export async function openTempDatabase(): Promise<TempDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'nodeplan-db-'))
  const file = join(dir, 'nested', 'nodeplan.db')
  const clock = new ManualClock()
  const db = await openDatabase(`file:${file}`, { clock })
  return {
    dir,
    file,
    clock,
    db,
    cleanup: async () => {
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export function taintChange(node: string): Change {
  return {
    address: `node/${node}/taint/runai:NoExecute`,
    node,
    resource: 'TAINT',
    action: 'CREATE',
    before: null,
    after: { key: 'runai', value: 'drain', effect: 'NoExecute' },
    reason: 'REQUESTED',
  }
}

export function drainDraft(nodes: string[], overrides: Partial<PlanDraft> = {}): PlanDraft {
  return {
    kind: 'DRAIN',
    reason: 'firmware upgrade',
    createdBy: 'alice',
    nodes,
    changes: nodes.map(taintChange),
    impact: { nodes: nodes.length, gpus: 8 * nodes.length, automaticallyRescheduled: [], manualRelocation: [], readySystemNodesAfter: 2 },
    warnings: [],
    inputs: nodes.map((node) => ({
      node,
      exists: true,
      uid: `uid-${node}`,
      taintIds: ['runai:NoExecute'],
      taints: [],
      labelKeys: [],
      labels: { 'node-role.kubernetes.io/runai-gpu-worker': '' },
    })),
    rollbackOf: null,
    ...overrides,
  }
}
