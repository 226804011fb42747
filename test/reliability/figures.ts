// The slow suite's figures: printed, and appended to $RELIABILITY_FIGURES (default in /tmp) for
// RELIABILITY.md.
import { appendFileSync } from 'node:fs'
import { cpus } from 'node:os'

export function recordFigure(name: string, figures: Record<string, unknown>): void {
  const line = { name, at: new Date().toISOString(), cpus: cpus().length, node: process.version, ...figures }
  process.stdout.write(`FIGURE ${JSON.stringify(line)}\n`)
  appendFileSync(process.env.RELIABILITY_FIGURES ?? '/tmp/nodeplan-reliability-figures.jsonl', `${JSON.stringify(line)}\n`)
}
