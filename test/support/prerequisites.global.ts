// Says loudly which parts of the suite cannot run here, before and after the run; fails under CI.
import { missing, PREREQUISITES } from './prerequisites.js'

function report(): string {
  return missing()
    .map((name) => `SKIPPED: ${PREREQUISITES[name].what} is missing; those tests do NOT run. Get it: ${PREREQUISITES[name].how}`)
    .join('\n')
}

export default function setup(): (() => void) | undefined {
  const lacking = missing()
  if (lacking.length === 0) return undefined
  if (process.env.CI === 'true') {
    throw new Error(`CI=true, and these prerequisites are missing (.ci/run installs them):\n${report()}`)
  }
  const box = () => console.warn(`\n${'*'.repeat(100)}\n${report()}\n${'*'.repeat(100)}\n`)
  box()
  return box
}
