// `npm run test:reliability`: the long runs of test/reliability (thousands of fuzz cases, 20 kill -9
// runs, 50 clients for 60 s, faults on 40 nodes each), named *.slow.ts so that `npm test` leaves
// them out. (mergeConfig would append to the default include list, hence a config of its own.)
import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

export default defineConfig({
  resolve: base.resolve,
  test: {
    include: ['test/reliability/**/*.slow.ts'],
    pool: 'forks',
    // One file at a time: the load run's latencies mean nothing with a kill -9 loop beside it.
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 60_000,
    setupFiles: base.test?.setupFiles,
    globalSetup: base.test?.globalSetup,
  },
})
