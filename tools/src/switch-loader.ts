/**
 * Node module hook (registered by `switch-register.ts` with `--import`) that checks every
 * `#ex/*` import of a demo resolves to the target named by WORKBOOK_TARGET, and under the
 * `mistake` target loads the mistake selected by WORKBOOK_MISTAKE.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { assertResolvedTarget, redirectMistake } from './switch-sentinel.ts';
import { workbookMistakes, workbookTarget } from './target.ts';

type NextResolve = (specifier: string, context: unknown) => Promise<{ url: string }>;

const mistakes = workbookMistakes();

export async function resolve(
  specifier: string,
  context: { parentURL?: string },
  nextResolve: NextResolve,
) {
  const parent = context.parentURL?.startsWith('file:')
    ? fileURLToPath(context.parentURL)
    : undefined;
  const redirected = redirectMistake(specifier, parent, mistakes);
  if (redirected) return { url: pathToFileURL(redirected).href, shortCircuit: true };
  const result = await nextResolve(specifier, context);
  assertResolvedTarget(specifier, result.url, workbookTarget());
  return result;
}
