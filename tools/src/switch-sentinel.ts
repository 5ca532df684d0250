import { existsSync } from 'node:fs';
import type { MistakeSelector, Target } from './target.ts';

/**
 * The folder each target's `#ex/*` imports must land in (for `mistake`: the imports of the
 * exercises it does not redirect).
 */
export const TARGET_DIRS: Record<Target, string> = {
  exercise: 'exercises',
  solution: 'solutions',
  wrong: 'wrong',
  mistake: 'solutions',
};

/**
 * Throws when an `#ex/*` specifier resolved outside the folder of the expected target.
 * Shared by the vitest plugin and the Node loader hook used by demos, so a misconfigured
 * resolver fails the run instead of silently testing (or demoing) the wrong code.
 */
export function assertResolvedTarget(specifier: string, resolved: string, target: Target): void {
  if (!specifier.startsWith('#ex/')) return;
  const normalised = resolved.replaceAll('\\', '/');
  const dir = TARGET_DIRS[target];
  if (!normalised.includes(`/${dir}/`)) {
    throw new Error(
      `🚨 Exercise switch mismatch: WORKBOOK_TARGET=${target} but ${specifier} resolved to ` +
        `${resolved} (expected a file under ${dir}/). The resolver ignored the '${target}' ` +
        'condition: check resolve.conditions and ssr.resolve.conditions in vitest.config.ts, ' +
        'or the --conditions flag given to tsx.',
    );
  }
}

/**
 * Where `#ex/<EE>-<slug>/<file>` imported from `importer` loads under the mistake target: the
 * same file name in the selected mistake's folder when the import belongs to that exercise of
 * that session (each session package has its own `#ex/*` map, so the importer's session folder
 * decides), else `null` (resolve as `solution`).
 * @throws {Error} when the mistake folder lacks the file (a mistake holds ALL the files).
 */
export function redirectMistake(
  specifier: string,
  importer: string | undefined,
  selectors: MistakeSelector[],
): string | null {
  if (!specifier.startsWith('#ex/') || !importer || selectors.length === 0) return null;
  const [folder, ...rest] = specifier.slice('#ex/'.length).split('/');
  if (rest.length === 0) return null;
  const from = importer.replaceAll('\\', '/');
  for (const selector of selectors) {
    if (selector.exercise !== folder) continue;
    const at = from.lastIndexOf(`/${selector.session}/`);
    if (at < 0) continue;
    const sessionDir = from.slice(0, at + selector.session.length + 1);
    const file = `${sessionDir}/mistakes/${selector.exercise}/${selector.mistake}/${rest.join('/')}`;
    if (!existsSync(file)) {
      throw new Error(
        `🚨 WORKBOOK_MISTAKE=${selector.path}: ${specifier} has no file ${file}. A mistake ` +
          `folder holds ALL the files of solutions/${selector.exercise}/ (the same names).`,
      );
    }
    return file;
  }
  return null;
}

/** Minimal shape of the Vite plugin API used here (avoids a hard dependency on vite types). */
interface ResolveContext {
  resolve(
    id: string,
    importer?: string,
    options?: { skipSelf?: boolean },
  ): Promise<{ id: string } | null>;
}

/**
 * A Vite plugin that applies {@link assertResolvedTarget} to every `#ex/*` import, and under
 * the `mistake` target first redirects the selected exercises ({@link redirectMistake}).
 */
export function switchSentinelPlugin(target: Target, mistakes: MistakeSelector[] = []) {
  return {
    name: 'workbook-switch-sentinel',
    enforce: 'pre' as const,
    async resolveId(this: ResolveContext, id: string, importer?: string) {
      if (!id.startsWith('#ex/')) return null;
      const redirected = redirectMistake(id, importer?.split('?')[0], mistakes);
      if (redirected) return { id: redirected };
      const resolved = await this.resolve(id, importer, { skipSelf: true });
      if (!resolved) return null;
      assertResolvedTarget(id, resolved.id, target);
      return resolved;
    },
  };
}
