/**
 * `pnpm typecheck`: the type checker on both sides of the exercise switch. `#ex/*` imports
 * resolve to the starters by default and to the reference with `--customConditions solution`,
 * so checks, demos and the session code must type-check against both.
 */
import path from 'node:path';
import chalk from 'chalk';
import { binEntry, isMain, REPO_ROOT } from './paths.ts';
import { type RunResult, run } from './spawn.ts';
import { heading, seconds } from './ui.ts';

/** One tsc run of {@link typecheck}. */
export interface TypecheckRun {
  label: string;
  args: string[];
  result: RunResult;
}

/** The two tsc invocations, as arguments after the tsc entry. */
export const TYPECHECK_RUNS = [
  { label: 'exercise target (starters)', args: ['-p', 'tsconfig.json'] },
  {
    label: 'solution target (reference)',
    args: ['-p', 'tsconfig.json', '--customConditions', 'solution'],
  },
] as const;

/**
 * Incremental state per target in node_modules/.cache, so a second run only re-checks what
 * changed (a fresh clone starts cold, and a stale cache is only ever slower, not wrong).
 */
function incremental(root: string, index: number): string[] {
  const file = path.join(root, 'node_modules', '.cache', 'workbook', `tsc-${index}.tsbuildinfo`);
  return ['--incremental', '--tsBuildInfoFile', file];
}

/**
 * Runs both type checks. They run side by side (tsc is single-threaded) and their output is
 * printed one after the other, labelled.
 */
export async function typecheck(root = REPO_ROOT): Promise<{ ok: boolean; runs: TypecheckRun[] }> {
  const tsc = binEntry('typescript', 'tsc', root);
  const runs = await Promise.all(
    TYPECHECK_RUNS.map(async ({ label, args }, i) => ({
      label,
      args: [...args],
      result: await run(
        process.execPath,
        [tsc, ...args, ...incremental(root, i), '--pretty', String(chalk.level > 0)],
        { cwd: root },
      ),
    })),
  );
  for (const { label, args, result } of runs) {
    const mark = result.exitCode === 0 ? chalk.green('✅') : chalk.red('❌');
    console.log(
      `${mark} tsc ${args.join(' ')}  ${chalk.dim(`${label}, ${seconds(result.durationMs)}`)}`,
    );
    if (result.exitCode !== 0) console.log(result.output.trimEnd());
  }
  return { ok: runs.every((r) => r.result.exitCode === 0), runs };
}

if (isMain(import.meta.url)) {
  console.log(heading('Typecheck: both targets of the exercise switch'));
  const { ok } = await typecheck();
  process.exitCode = ok ? 0 : 1;
}
