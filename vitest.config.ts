import { defineConfig } from 'vitest/config';
import { workbookTarget } from './tools/src/target.ts';
import { switchConfig } from './tools/src/vitest-switch.ts';

/**
 * One switch (WORKBOOK_TARGET) picks what `#ex/*` imports resolve to: the student's
 * exercises/ (default), the reference solutions/, or the known-wrong variants in wrong/.
 * See tools/src/vitest-switch.ts for why both resolvers get the condition.
 */
const target = workbookTarget();

export default defineConfig({
  ...switchConfig(target),
  test: {
    // WORKBOOK_VITEST_INCLUDE (comma-separated): only those files, e.g. one check for
    // `pnpm run mutation`, whose runner has no other way to narrow the suite.
    include: process.env.WORKBOOK_VITEST_INCLUDE?.split(',') ?? [
      'session*/test/**/*.test.ts',
      'tools/test/**/*.test.ts',
    ],
    // The tools' fixture workbook has its own config and is run by the tools' tests.
    exclude: ['**/node_modules/**', '**/fixtures/**'],
    pool: 'forks',
    // Heartbeats for the check watchdog, and whole values in the checks' messages.
    setupFiles: ['tools/src/check-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { WORKBOOK_TARGET: target },
  },
});
