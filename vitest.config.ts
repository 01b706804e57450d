import { defineConfig } from 'vitest/config';

// Suites that start real servers (Dovecot, MariaDB, Chromium) share this 2-core machine:
// run files in a few forks and give network-bound tests room.
export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    include: ['server/**/*.test.ts', 'tests/**/*.test.ts', 'widget/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
