import { configDefaults, defineConfig } from 'vitest/config'
import { has } from './test/support/prerequisites.js'

// test/real needs the control plane that scripts/build-control-plane.sh builds with Go (npm's
// pretest step runs it); without it those files are left out, which prerequisites.global.ts says
// loudly (and fails under CI).
const realAvailable = has('controlPlane')

export default defineConfig({
  resolve: {
    // Node (and so tsx and type-graphql) loads graphql's CommonJS build; Vite would pick its .mjs
    // build for our sources, and two copies of graphql cannot share one schema.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: !realAvailable ? [...configDefaults.exclude, 'test/real/**'] : configDefaults.exclude,
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/prerequisites.global.ts', 'test/support/build.global.ts'],
  },
})
