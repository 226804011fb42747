// Tests that start nodeplan as a process (bin/nodeplan.mjs) run the compiled dist/: build it
// first, so they always test the sources as they are now. Incremental: seconds when unchanged.
import { execFileSync } from 'node:child_process'

export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'inherit', 'inherit'] })
}
