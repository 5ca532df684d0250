/**
 * The vitest/vite settings of the exercise switch, shared by the root `vitest.config.ts` and
 * the tools' fixture workbook, so the tools' tests exercise the very config students run.
 */
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { switchSentinelPlugin } from './switch-sentinel.ts';
import { type Target, workbookConditions, workbookMistakes } from './target.ts';

/**
 * `plugins`, `resolve` and `ssr` for a target. The condition must be set for both the client
 * and the SSR resolver: vitest runs tests through the SSR pipeline, and without
 * `ssr.resolve.conditions` it silently falls back to the `default` branch (the starters).
 * The sentinel plugin fails the run if an `#ex/*` import still lands in the wrong folder, and
 * under `WORKBOOK_TARGET=mistake` loads the mistakes named by `WORKBOOK_MISTAKE`.
 */
export function switchConfig(target: Target, env: NodeJS.ProcessEnv = process.env) {
  const conditions = workbookConditions(target);
  const mistakes =
    target === 'mistake' ? workbookMistakes({ ...env, WORKBOOK_TARGET: target }) : [];
  return {
    plugins: [switchSentinelPlugin(target, mistakes)],
    resolve: { conditions: [...conditions, ...defaultClientConditions] },
    ssr: { resolve: { conditions: [...conditions, ...defaultServerConditions] } },
  };
}
