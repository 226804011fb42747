// What parts of the suite need beyond Node.js and a C++ toolchain. Without one, those tests are
// skipped, loudly (prerequisites.global.ts prints what is missing at the start and the end of the
// run); under CI=true a missing one fails the run, since CI installs everything.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { controlPlaneUnavailable } from '../../scripts/control-plane.js'

export interface Prerequisite {
  /** What it is and which tests need it. */
  what: string
  /** How to get it. */
  how: string
  available(): boolean
}

export const PREREQUISITES = {
  chromium: {
    what: 'Chromium at /usr/bin/chromium, for the web console tests (test/console)',
    how: 'apt-get install chromium',
    available: () => existsSync('/usr/bin/chromium'),
  },
  kubectl: {
    what: 'Linux on x86-64, for the real kubectl 1.35 the npm package ships (test/e2e, the rejoin test)',
    how: 'run the suite on linux/amd64',
    available: () => process.platform === 'linux' && process.arch === 'x64',
  },
  pty: {
    what: 'script(1) from util-linux, for the CLI prompt test on a pseudo-terminal',
    how: 'apt-get install util-linux',
    available: () => spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0,
  },
  controlPlane: {
    what: 'the real Kubernetes control plane (kube-apiserver, etcd, controllers, kwok) in controlplane/bin, for test/real',
    how: 'install Go and run npm test (its pretest step runs scripts/build-control-plane.sh)',
    available: () => controlPlaneUnavailable() === null,
  },
  postgresql: {
    what: 'a PostgreSQL 15 server in NODEPLAN_TEST_PG_URL, for test/postgres and the PostgreSQL variants of test/db',
    how: 'export NODEPLAN_TEST_PG_URL=$(scripts/pg-test-server.sh)',
    available: () => Boolean(process.env.NODEPLAN_TEST_PG_URL),
  },
} satisfies Record<string, Prerequisite>

export type PrerequisiteName = keyof typeof PREREQUISITES

/** Whether the tests that need `name` can run; use as `describe.runIf(has('chromium'))`. */
export function has(name: PrerequisiteName): boolean {
  return PREREQUISITES[name].available()
}

/** The prerequisites this machine lacks. */
export function missing(): PrerequisiteName[] {
  return (Object.keys(PREREQUISITES) as PrerequisiteName[]).filter((name) => !has(name))
}
