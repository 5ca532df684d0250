import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { switchSentinelPlugin } from './tools/src/switch-sentinel.ts';
import { workbookConditions, workbookTarget } from './tools/src/target.ts';

/**
 * One switch (WORKBOOK_TARGET) picks what `#ex/*` imports resolve to: the student's
 * exercises/ (default), the reference solutions/, or the known-wrong variants in wrong/.
 * The condition must be set for both the client and the SSR resolver: vitest runs tests
 * through the SSR pipeline, and without `ssr.resolve.conditions` it silently falls back to
 * the `default` branch, testing the wrong code.
 */
const target = workbookTarget();
const conditions = workbookConditions(target);

export default defineConfig({
  plugins: [switchSentinelPlugin(target)],
  resolve: { conditions: [...conditions, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [...conditions, ...defaultServerConditions] } },
  test: {
    include: ['session*/test/**/*.test.ts', 'tools/test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { WORKBOOK_TARGET: target },
  },
});
