import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The Chromium journeys need a system package: `npm run test:browser` runs them.
    exclude: ['test/browser/**', 'node_modules/**', 'dist/**'],
    globalSetup: ['test/support/postgres-global-setup.ts'],
    // Guards against hangs, never performance assertions: on a loaded two-core machine
    // (load average 8 and more) a suite that takes 10 s alone can take a minute or two.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Two cores: database suites run a few files at a time, not dozens.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
