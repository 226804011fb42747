import { configDefaults, defineConfig } from 'vitest/config'
import { controlPlaneUnavailable } from './scripts/control-plane.js'

// test/real needs the control plane that scripts/build-control-plane.sh builds with Go (npm's
// pretest step runs it). Without it the suite is left out, and that is said loudly.
const realUnavailable = controlPlaneUnavailable()
if (realUnavailable) {
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPED test/real (nodeplan against a real Kubernetes control plane): ${realUnavailable}\n${'!'.repeat(100)}\n`)
}

export default defineConfig({
  resolve: {
    // Node (and so tsx and type-graphql) loads graphql's CommonJS build; Vite would pick its .mjs
    // build for our sources, and two copies of graphql cannot share one schema.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: realUnavailable ? [...configDefaults.exclude, 'test/real/**'] : configDefaults.exclude,
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/build.global.ts'],
  },
})
