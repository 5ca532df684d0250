/**
 * `pnpm typecheck`: the type checker on both sides of the exercise switch. `#ex/*` imports
 * resolve to the starters by default and to the reference with `--customConditions solution`,
 * so checks, demos and the session code must type-check against both. The solution target
 * (`tools/tsconfig.solution.json`) leaves the students' exercises/ out, so a student's type
 * error is reported once, under the exercise target.
 */
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import chalk from 'chalk';
import { binEntry, isMain, REPO_ROOT, rel } from './paths.ts';
import { type RunResult, run } from './spawn.ts';
import { parseTscOutput } from './typecheck-exercise.ts';
import { heading, seconds } from './ui.ts';

/** One tsc run of {@link typecheck}. */
export interface TypecheckRun {
  label: string;
  args: string[];
  result: RunResult;
}

/** The two tsc invocations, as arguments after the tsc entry. */
export const TYPECHECK_RUNS = [
  {
    label: "exercise target: the student's code in exercises/, with the course code",
    args: ['-p', 'tsconfig.json'],
  },
  {
    label:
      "solution target: the reference solutions in solutions/, with the course code (not the student's exercises/)",
    args: ['-p', 'tools/tsconfig.solution.json'],
  },
] as const;

/** Whose files the errors are in: the student's exercises, the references, the rest. */
export function whoseErrors(output: string, root: string): string[] {
  const counts = {
    student: new Set<string>(),
    reference: new Set<string>(),
    course: new Set<string>(),
  };
  let errors = 0;
  for (const error of parseTscOutput(output, root)) {
    errors++;
    const file = rel(error.file, root);
    const owner = /(^|\/)exercises\/\d{2}-[^/]+\//.test(file)
      ? 'student'
      : /(^|\/)(solutions|wrong|mistakes)\//.test(file)
        ? 'reference'
        : 'course';
    counts[owner].add(file);
  }
  if (errors === 0) return [];
  const line = (files: Set<string>, who: string) =>
    files.size
      ? [`  in ${who}: ${[...files].slice(0, 6).join(', ')}${files.size > 6 ? ', …' : ''}`]
      : [];
  return [
    ...line(
      counts.student,
      "the student's exercise code (exercises/; `pnpm check <id>` shows them per exercise)",
    ),
    ...line(counts.reference, 'reference, wrong or mistake code (solutions/, wrong/, mistakes/)'),
    ...line(counts.course, 'course code (src/, test/, demos/, tools/)'),
  ];
}

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
    if (result.exitCode !== 0) {
      console.log(result.output.trimEnd());
      const whose = whoseErrors(stripVTControlCharacters(result.output), root);
      if (whose.length)
        console.log(chalk.red(`Errors of the ${label.split(':')[0]}:\n${whose.join('\n')}`));
    }
  }
  return { ok: runs.every((r) => r.result.exitCode === 0), runs };
}

if (isMain(import.meta.url)) {
  console.log(heading('Typecheck: both targets of the exercise switch'));
  const { ok } = await typecheck();
  process.exitCode = ok ? 0 : 1;
}
