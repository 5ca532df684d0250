/**
 * The exercise switch. `WORKBOOK_TARGET` selects which code `#ex/*` imports load:
 *
 * | target     | loads            | used by                                   |
 * |------------|------------------|-------------------------------------------|
 * | `exercise` | `exercises/...`  | students (`pnpm check`), the default      |
 * | `solution` | `solutions/...`  | the test command, `--solution` demos, CI  |
 * | `wrong`    | `wrong/...`      | the proof that checks catch known mistakes |
 *
 * Each target is a package-`imports` condition of the same name (`exercise` is the
 * `default` branch), so vitest, tsx and tsc all resolve through the same table.
 */
export const TARGETS = ['exercise', 'solution', 'wrong'] as const;
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
  return target === 'exercise' ? [] : [target];
}
