import { defineConfig } from 'vitest/config';

/**
 * Mutation testing (stryker.config.json): only the unit tests beside the rule files, without the global setup that
 * builds the browser bundles, so each mutant is judged in milliseconds by tests that need no server.
 */
export default defineConfig({
  test: {
    include: [
      'server/triage/routing.test.ts',
      'server/triage/answerability.test.ts',
      'server/tickets/lifecycle.test.ts',
      'server/tickets/escalation-rules.test.ts',
      'server/mail/outbound/outbox-rules.test.ts',
      'server/mail/outbound/ids.test.ts',
      'server/http/signed-links.test.ts',
      'server/http/rate-limit-keys.test.ts',
      'server/analytics/csv.test.ts',
      'server/config.test.ts',
      'server/config-rules.test.ts',
    ],
    pool: 'threads',
    testTimeout: 10_000,
  },
});
