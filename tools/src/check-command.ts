/** `pnpm check` (and `--all`, `--watch`, `--solution`; `pnpm workbook verify`). */
import chalk from 'chalk';
import { type CheckOutcome, checkExercises, watchFolders } from './check.ts';
import { type CliContext, type ParsedArgs, progressFileOf } from './cli-context.ts';
import { resolveSelection, type Workbook } from './exercises.ts';
import { rel } from './paths.ts';
import { MARK } from './ui.ts';

export async function check(
  workbook: Workbook,
  args: ParsedArgs,
  session: string | null,
  ctx: CliContext,
): Promise<number> {
  // --all (and `pnpm workbook verify`): every exercise of every session, whatever the folder.
  const selection = args.flags.has('all')
    ? { exercises: workbook.exercises, label: 'all exercises' }
    : resolveSelection(workbook, args.positional, { session });
  const target = args.flags.has('solution') ? 'solution' : 'exercise';
  if (selection.exercises.length === 0) {
    ctx.print(`${MARK.info}There are no exercises in ${selection.label} yet.`);
    return 0;
  }
  const runOnce = async () => {
    const what =
      target === 'solution'
        ? chalk.magenta('the REFERENCE solutions (instructor mode)')
        : 'your code';
    ctx.print(
      chalk.dim(
        `Checking ${selection.label} (${selection.exercises.length} exercise(s)) against ${what}: tests and types…`,
      ),
    );
    const result = await checkExercises(workbook, selection.exercises, {
      target,
      cwd: ctx.cwd,
      progressFile: progressFileOf(ctx),
      print: ctx.print,
      ...(ctx.stallMs ? { stallMs: ctx.stallMs } : {}),
    });
    if (result.crash) return 1;
    ctx.print('');
    ctx.print(summary(result.outcomes, target));
    const ok =
      result.missingChecks.length === 0 && result.outcomes.every((o) => o.status === 'passed');
    return ok ? 0 : 1;
  };
  const code = await runOnce();
  if (!args.flags.has('watch')) return code;

  const dirs = selection.exercises.flatMap((ex) => [
    target === 'solution' ? ex.solutionDir : ex.dir,
  ]);
  ctx.print(
    chalk.cyan(
      `\n👀 Watching ${dirs.length} exercise folder(s). Save a file to check again; Ctrl-C to stop.`,
    ),
  );
  let running = false;
  let again = false;
  const rerun = async (file: string) => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    if (process.stdout.isTTY) process.stdout.write('\x1Bc');
    ctx.print(chalk.dim(`${rel(file, ctx.cwd)} changed`));
    await runOnce();
    ctx.print(chalk.cyan('\n👀 Watching. Ctrl-C to stop.'));
    running = false;
    if (again) {
      again = false;
      await rerun(file);
    }
  };
  const stop = watchFolders(dirs, (file) => void rerun(file));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  stop();
  return 0;
}

/** The last line of a check: how many pass and what to do next. */
export function summary(outcomes: CheckOutcome[], target: 'exercise' | 'solution'): string {
  const passed = outcomes.filter((o) => o.status === 'passed').length;
  if (outcomes.length === 0) return 'Nothing was checked.';
  if (passed === outcomes.length) {
    return (
      chalk.green.bold(`🎉 ${passed}/${outcomes.length} exercise(s) pass.`) +
      (target === 'exercise' ? ' `pnpm workbook` shows what comes next.' : '')
    );
  }
  const next = outcomes.find((o) => o.status !== 'passed')!;
  return (
    chalk.bold(`${passed}/${outcomes.length} exercise(s) pass.`) +
    (target === 'exercise'
      ? ` Next up: ${chalk.bold(next.exercise.id)} ${next.exercise.title}.`
      : '')
  );
}
