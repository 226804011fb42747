// `npm run bench`: runs every benchmark in its own process, one after another, and writes
// BENCHMARKS.md with the machine and the date. Each benchmark prints its own section.
import { execFileSync } from 'node:child_process'
import { cpus, totalmem } from 'node:os'
import { writeFileSync } from 'node:fs'

const BENCHES: { file: string; title: string; issue: string }[] = [
  { file: 'bench/simulator-scale.ts', title: 'Simulated cluster at 5,000 nodes / 100,000 pods', issue: '#3' },
  { file: 'bench/service-scale.ts', title: 'Service: inventory, plan and apply at 5,000 nodes', issue: '#4, #5' },
  { file: 'bench/answer-writer.ts', title: 'A 13 MB answer written in chunks or as one string', issue: '#19' },
  { file: 'bench/apply-round-trips.ts', title: 'applyPlan against its round-trip bound, N = 1, 20, 100', issue: '#17' },
  { file: 'bench/replicas-pg.ts', title: 'Two replicas on PostgreSQL beside one on SQLite, 1,000 nodes', issue: '#9' },
  { file: 'bench/audit-page.ts', title: 'Audit trail: a filtered page over 1,000,000 events', issue: '#5' },
  { file: 'bench/plan-drain-domain.ts', title: 'Planner alone (pure domain): 100-node drain in 5,000 nodes', issue: '#5' },
  { file: 'bench/operator-surface.ts', title: 'Operator surface at 5,000 nodes: metrics, CLI, live progress', issue: '#8' },
  { file: 'bench/downtime-watcher.ts', title: 'Downtime watcher: 100 nodes failing at once in 5,000', issue: '#6' },
  { file: 'bench/classify-workloads.ts', title: 'Workload classification of 100,000 pods', issue: '#4' },
  { file: 'bench/rollout.ts', title: 'Rollouts: planning 500 nodes in 5,000, and the service\'s time per wave', issue: '#21' },
  { file: 'bench/fleet-scale.ts', title: 'A fleet: 10 clusters × 1,000 nodes in one process', issue: '#23' },
  { file: 'bench/apply-real-apiserver.ts', title: 'The 100-node apply: simulator beside the real kube-apiserver', issue: '#18' },
]

const only = process.argv.slice(2)
const sections: string[] = []
for (const bench of BENCHES.filter((b) => only.length === 0 || only.some((o) => b.file.includes(o)))) {
  process.stderr.write(`running ${bench.file} …\n`)
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', bench.file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const body = output.trimStart().startsWith('|') || output.includes('\n|') ? output.trim() : '```\n' + output.trim() + '\n```'
  sections.push(`## ${bench.title} (${bench.issue})\n\n\`${bench.file}\`\n\n${body}\n`)
}

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`
writeFileSync(
  'BENCHMARKS.md',
  `# Benchmarks\n\nWritten by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}.\n` +
    `Speed and memory targets live here, never in timed tests. One run each; figures move with machine load.\n\n` +
    sections.join('\n'),
)
process.stderr.write('wrote BENCHMARKS.md\n')
