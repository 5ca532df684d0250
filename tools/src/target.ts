/**
 * The exercise switch. `WORKBOOK_TARGET` selects which code `#ex/*` imports load:
 *
 * | target     | loads                          | used by                                    |
 * |------------|--------------------------------|--------------------------------------------|
 * | `exercise` | `exercises/...`                | students (`pnpm check`), the default       |
 * | `solution` | `solutions/...`                | the test command, `--solution` demos, CI   |
 * | `wrong`    | `wrong/...`                    | the proof that checks catch known mistakes |
 * | `mistake`  | `mistakes/<EE>-<slug>/<m>/...` | the proof of the mistake catalogue         |
 *
 * Each of the first three is a package-`imports` condition of the same name (`exercise` is
 * the `default` branch), so vitest, tsx and tsc all resolve through the same table. `mistake`
 * resolves like `solution` except for the exercises named by `WORKBOOK_MISTAKE`, whose imports
 * the switch plugin (vitest) or loader (demos) redirects to the mistake's folder.
 */
export const TARGETS = ['exercise', 'solution', 'wrong', 'mistake'] as const;
export type Target = (typeof TARGETS)[number];

/** Reads and validates `WORKBOOK_TARGET`. @default 'exercise' */
export function workbookTarget(env: NodeJS.ProcessEnv = process.env): Target {
  const raw = env.WORKBOOK_TARGET ?? 'exercise';
  if (!(TARGETS as readonly string[]).includes(raw)) {
    throw new Error(
      `Expected \`WORKBOOK_TARGET\` to be one of ${TARGETS.join(', ')}, got \`${raw}\`. ` +
        'Unset it to work on your own exercises.',
    );
  }
  return raw as Target;
}

/** Resolver conditions for a target (the `exercise` target is the `default` branch). */
export function workbookConditions(target: Target): string[] {
  if (target === 'exercise') return [];
  return target === 'mistake' ? ['solution'] : [target];
}

/** One mistake selected by `WORKBOOK_MISTAKE`, e.g. `session01-x/mistakes/01-double/plus-two`. */
export interface MistakeSelector {
  /** `session01-image-basics`. */
  session: string;
  /** `01-grayscale-thumbnail`: the exercise folder whose `#ex/` imports are redirected. */
  exercise: string;
  /** `off-by-one`: the mistake's folder name. */
  mistake: string;
  /** `<session>/mistakes/<exercise>/<mistake>`, as given. */
  path: string;
}

const SELECTOR = /^(session[^/]+)\/mistakes\/(\d{2}-[a-z0-9][a-z0-9-]*)\/([^/]+)$/;

/**
 * Reads `WORKBOOK_MISTAKE`: one selector or several separated by commas (the proof runs the
 * k-th mistake of every exercise at once). Empty unless the target is `mistake`.
 * @throws {Error} when the target is `mistake` and a selector is missing, malformed or names
 * the same exercise twice.
 */
export function workbookMistakes(env: NodeJS.ProcessEnv = process.env): MistakeSelector[] {
  if (workbookTarget(env) !== 'mistake') return [];
  return parseMistakeSelectors(env.WORKBOOK_MISTAKE ?? '');
}

/** Parses the value of `WORKBOOK_MISTAKE` (see {@link workbookMistakes}). */
export function parseMistakeSelectors(raw: string): MistakeSelector[] {
  const parts = raw
    .split(',')
    .map((p) => p.trim().replaceAll('\\', '/').replace(/\/+$/, ''))
    .filter(Boolean);
  if (parts.length === 0) {
    throw new Error(
      'WORKBOOK_TARGET=mistake needs `WORKBOOK_MISTAKE=<session-folder>/mistakes/<EE>-<slug>/<mistake>` ' +
        '(`pnpm workbook mistakes` lists them).',
    );
  }
  const selectors: MistakeSelector[] = [];
  for (const part of parts) {
    const match = SELECTOR.exec(part);
    if (!match) {
      throw new Error(
        `Expected \`WORKBOOK_MISTAKE\` to look like <session-folder>/mistakes/<EE>-<slug>/<mistake>, ` +
          `got \`${part}\` (\`pnpm workbook mistakes\` lists them).`,
      );
    }
    const [, session, exercise, mistake] = match;
    if (selectors.some((s) => s.session === session && s.exercise === exercise)) {
      throw new Error(
        `\`WORKBOOK_MISTAKE\` names two mistakes of ${session}/${exercise}; one run can load only one per exercise.`,
      );
    }
    selectors.push({ session: session!, exercise: exercise!, mistake: mistake!, path: part });
  }
  return selectors;
}
