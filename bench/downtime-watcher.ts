// The downtime watcher at 5,000 nodes (issue 6): the simulator in its own process, nodeplan in this
// one with the watcher on the simulator's clock (which moves only when the bench advances it):
//  - check() with no node due: the scan a running service does every 10 s;
//  - 100 nodes fail at once: until each NotReady is in the audit trail (watch → cache → watcher → SQLite);
//  - 100 nodes past the grace time: one check() proposing the 100 DRAIN plans;
//  - the 100 come back: until each stale proposal is discarded.
// Run: npx tsx bench/downtime-watcher.ts   (prints a Markdown section)
import 'reflect-metadata'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseServeConfig } from '../src/config.js'
import { silentLogger } from '../src/logger.js'
import { startNodeplan } from '../src/main.js'
import { msSince, percentile, startSimulatorProcess } from './support/processes.js'

const FAILING = 100
const dir = mkdtempSync(join(tmpdir(), 'nodeplan-bench-downtime-'))
// Few pods: the watcher works on nodes; a drain plan's impact scan of pods is service-scale.ts's subject.
const sim = await startSimulatorProcess(join(dir, 'kubeconfig'), ['--system-nodes', '10', '--gpu-nodes', '4900', '--cpu-nodes', '90', '--pods-per-gpu-node', '4', '--seed', '1'])
try {
  let simNow = new Date((await sim.control('GET', '/_sim/clock')).clock)
  const advance = async (seconds: number) => {
    simNow = new Date((await sim.control('POST', '/_sim/clock/advance', { seconds })).clock)
  }
  const np = await startNodeplan(parseServeConfig(['--port', '0', '--database', `file:${join(dir, 'nodeplan.db')}`, '--kubeconfig', sim.kubeconfig], {}), {
    log: silentLogger,
    clock: { now: () => simNow },
    downtimeCheckIntervalMs: 0,
  })
  const watcher = np.services.downtime
  const count = async (action: string) => (await np.db.audit.list({ action }, 1, null)).totalCount
  const until = async (what: () => Promise<boolean>) => {
    while (!(await what())) await new Promise((r) => setTimeout(r, 5))
  }
  try {
    const idle: number[] = []
    for (let i = 0; i < 33; i++) {
      const start = process.hrtime.bigint()
      const proposed = await watcher.check()
      if (i >= 3) idle.push(msSince(start))
      if (proposed.length) throw new Error('nothing should be due')
    }

    const names = Array.from({ length: FAILING }, (_, i) => `gpu-${1 + i * 41}`)
    let start = process.hrtime.bigint()
    await Promise.all(names.map((name) => sim.control('POST', `/_sim/nodes/${name}/fail`)))
    await until(async () => (await count('node.notready')) >= FAILING)
    const notReadyMs = msSince(start)

    await advance(301)
    start = process.hrtime.bigint()
    const proposed = await watcher.check()
    const proposeMs = msSince(start)
    if (proposed.length !== FAILING) throw new Error(`expected ${FAILING} proposals, got ${proposed.length}`)

    start = process.hrtime.bigint()
    await Promise.all(names.map((name) => sim.control('POST', `/_sim/nodes/${name}/recover`)))
    await until(async () => (await count('plan.discarded')) >= FAILING)
    const discardMs = msSince(start)

    const snapshot = np.cache.snapshot()
    console.log(`Cluster: ${snapshot.nodes.length} nodes, ${snapshot.pods.length} pods; the simulator in its own process, nodeplan with SQLite in this one.`)
    console.log()
    console.log('| downtime watcher | figure |')
    console.log('|---|---|')
    console.log(`| check() with no node due (30 runs): p50 / p95 | ${percentile(idle, 50).toFixed(1)} ms / ${percentile(idle, 95).toFixed(1)} ms |`)
    console.log(`| ${FAILING} nodes fail at once → ${FAILING} node.notready audit events | ${notReadyMs.toFixed(0)} ms |`)
    console.log(`| one check() proposing ${FAILING} DRAIN plans (one per node) | ${proposeMs.toFixed(0)} ms (${(proposeMs / FAILING).toFixed(1)} ms per plan) |`)
    console.log(`| ${FAILING} nodes back → ${FAILING} stale proposals discarded | ${discardMs.toFixed(0)} ms |`)
  } finally {
    await np.close()
  }
} finally {
  await sim.stop()
  rmSync(dir, { recursive: true, force: true })
}
