/**
 * Node module hook (registered by `switch-register.ts` with `--import`) that checks every
 * `#ex/*` import of a demo resolves to the target named by WORKBOOK_TARGET.
 */
import { assertResolvedTarget } from './switch-sentinel.ts';
import { workbookTarget } from './target.ts';

type NextResolve = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve) {
  const result = await nextResolve(specifier, context);
  assertResolvedTarget(specifier, result.url, workbookTarget());
  return result;
}
