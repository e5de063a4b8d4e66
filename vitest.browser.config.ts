import { defineConfig } from 'vitest/config';

/*
 * The journeys in a real Chromium and the accessibility checks (`npm run test:browser`):
 * they need Debian's `chromium` package, so `npm test` leaves them out. The pages run on
 * SQLite files: the database suites already cover PostgreSQL.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts', 'test/browser/**/*.test.tsx'],
    globalSetup: ['test/browser/support/global-setup.ts'],
    // Guards against hangs only: a browser on a loaded two-core machine is slow.
    testTimeout: 240_000,
    hookTimeout: 240_000,
    // One browser at a time: two cores.
    maxWorkers: 1,
    fileParallelism: false,
    reporters: ['default'],
  },
});
