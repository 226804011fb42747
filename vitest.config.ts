import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // Node (and so tsx and type-graphql) loads graphql's CommonJS build; Vite would pick its .mjs
    // build for our sources, and two copies of graphql cannot share one schema.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/prerequisites.global.ts', 'test/support/build.global.ts'],
  },
})
