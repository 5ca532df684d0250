import type { Target } from './target.ts';

/** The folder each target's `#ex/*` imports must land in. */
export const TARGET_DIRS: Record<Target, string> = {
  exercise: 'exercises',
  solution: 'solutions',
  wrong: 'wrong',
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

/** Minimal shape of the Vite plugin API used here (avoids a hard dependency on vite types). */
interface ResolveContext {
  resolve(
    id: string,
    importer?: string,
    options?: { skipSelf?: boolean },
  ): Promise<{ id: string } | null>;
}

/** A Vite plugin that applies {@link assertResolvedTarget} to every `#ex/*` import. */
export function switchSentinelPlugin(target: Target) {
  return {
    name: 'workbook-switch-sentinel',
    enforce: 'pre' as const,
    async resolveId(this: ResolveContext, id: string, importer?: string) {
      if (!id.startsWith('#ex/')) return null;
      const resolved = await this.resolve(id, importer, { skipSelf: true });
      if (!resolved) return null;
      assertResolvedTarget(id, resolved.id, target);
      return resolved;
    },
  };
}
