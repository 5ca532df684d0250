/**
 * `pnpm workbook` — the student's companion: progress, checks, hints, diff, reset, catch-up
 * and doctor. Run it from the repository root or from inside a session folder.
 *
 * @example
 * pnpm workbook            # progress of every session
 * pnpm check 01.3          # run the checks of one exercise
 * pnpm hint 01.3           # one more hint
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import chalk from 'chalk';
import { catchUp, resetExercise } from './attempts.ts';
import { formatMistakes } from './catalogue.ts';
import { check } from './check-command.ts';
import {
  type CliContext,
  type ParsedArgs,
  parseArgs,
  progressFileOf,
  warnTo,
} from './cli-context.ts';
import { diagnose, printDoctor, probeAll } from './doctor.ts';
import {
  discoverWorkbook,
  type Exercise,
  formatExerciseList,
  resolveExercise,
  resolveSelection,
  sessionOfDir,
  UnknownIdError,
  type Workbook,
} from './exercises.ts';
import { HELP } from './help.ts';
import { loadHints, nextHint } from './hints.ts';
import { isMain, REPO_ROOT, rel } from './paths.ts';
import {
  classReport,
  fingerprint,
  formatClassLine,
  loadProgress,
  studentName,
  updateExercise,
} from './progress.ts';
import { formatOverview, statusMark, workbookStatus } from './status.ts';
import { exitQuietlyOnClosedPipe, MARK } from './ui.ts';

export { summary } from './check-command.ts';
export { type CliContext, type ParsedArgs, parseArgs } from './cli-context.ts';

/** Runs one CLI command; returns the exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const [command = 'status', ...rest] = argv;
  const args = parseArgs(rest);
  const workbook = discoverWorkbook(ctx.root);
  const session = sessionOfDir(workbook, ctx.cwd);
  try {
    switch (command) {
      case 'status':
      case 'progress':
        if (args.flags.has('class') || args.flags.has('json')) {
          // Instructors: one line (or JSON line) per student, to paste or collect by script.
          const warnings: string[] = [];
          const progress = loadProgress(progressFileOf(ctx), (w) => warnings.push(w));
          const report = classReport(
            workbook,
            workbookStatus(workbook, progress),
            studentName(ctx.root),
            { warnings },
          );
          ctx.print(args.flags.has('json') ? JSON.stringify(report) : formatClassLine(report));
          return 0;
        }
        return overview(workbook, ctx);
      case 'list':
        return list(workbook, ctx);
      case 'check':
        return await check(workbook, args, session, ctx);
      case 'verify':
        args.flags.add('all');
        return await check(workbook, args, session, ctx);
      case 'hint':
        return hint(workbook, args, session, ctx);
      case 'diff':
        return diff(workbook, one(workbook, args, session, 'diff'), ctx);
      case 'reset':
        return reset(workbook, one(workbook, args, session, 'reset'), ctx);
      case 'catch-up':
      case 'catchup':
        return catchUpCommand(workbook, one(workbook, args, session, 'catch-up'), ctx);
      case 'mistakes': {
        const picked = args.positional.length
          ? resolveSelection(workbook, args.positional, { session }).exercises
          : session
            ? resolveSelection(workbook, [], { session }).exercises
            : workbook.exercises;
        for (const line of formatMistakes(picked, ctx.root)) ctx.print(line);
        return 0;
      }
      case 'doctor':
        return printDoctor(diagnose(await probeAll()), ctx.print);
      case 'help':
      case '--help':
      case '-h':
        ctx.print(HELP);
        return 0;
      default:
        ctx.print(chalk.red(`Unknown command \`${command}\`.`));
        ctx.print(HELP);
        return 1;
    }
  } catch (error) {
    if (error instanceof UnknownIdError) {
      ctx.print(chalk.red(error.message));
      ctx.print('Valid exercises:');
      ctx.print(error.listing);
      return 1;
    }
    // Expected failures (no git, no solution folder, ...) carry a message meant for people.
    ctx.print(chalk.red(`✖ ${(error as Error).message}`));
    if (process.env.DEBUG) ctx.print(chalk.dim((error as Error).stack ?? ''));
    return 1;
  }
}

function one(
  workbook: Workbook,
  args: ParsedArgs,
  session: string | null,
  command: string,
): Exercise {
  const [query] = args.positional;
  if (!query) {
    throw new UnknownIdError(
      `Which exercise? Usage: pnpm workbook ${command} <exercise>`,
      formatExerciseList(workbook),
    );
  }
  return resolveExercise(workbook, query, { session });
}

function overview(workbook: Workbook, ctx: CliContext): number {
  const statuses = workbookStatus(workbook, loadProgress(progressFileOf(ctx), warnTo(ctx)));
  ctx.print(chalk.bold('📒 Distributed Image Processing with Kubernetes — your progress'));
  ctx.print('');
  for (const line of formatOverview(workbook, statuses, ctx.cwd)) ctx.print(line);
  ctx.print(chalk.dim('\n`pnpm workbook help` lists every command.'));
  return 0;
}

function list(workbook: Workbook, ctx: CliContext): number {
  const statuses = workbookStatus(workbook, loadProgress(progressFileOf(ctx), warnTo(ctx)));
  ctx.print(
    formatExerciseList(workbook, (ex) => {
      const status = statuses.get(ex.id);
      return statusMark(status);
    }),
  );
  const counts = { passed: 0, failing: 0, started: 0, 'not-started': 0 };
  let caughtUp = 0;
  for (const status of statuses.values()) {
    if (status.caughtUp) caughtUp++;
    else counts[status.state]++;
  }
  ctx.print(
    chalk.dim(
      `\n${counts.passed} solved · ${caughtUp} caught up · ${counts.failing} failing · ` +
        `${counts.started} started · ${counts['not-started']} not started`,
    ),
  );
  return 0;
}

function hint(
  workbook: Workbook,
  args: ParsedArgs,
  session: string | null,
  ctx: CliContext,
): number {
  const ex = one(workbook, args, session, 'hint');
  const file = progressFileOf(ctx);
  const hints = loadHints(ex);
  const label = `${chalk.bold(ex.id)} ${ex.title}`;
  if (args.flags.has('reset')) {
    updateExercise(file, ex.id, (p) => ({ ...p, hintsShown: 0 }), warnTo(ctx));
    ctx.print(`Hints for ${label} start over: \`pnpm hint ${ex.id}\` shows the first one.`);
    return 0;
  }
  const shown = loadProgress(file, warnTo(ctx)).exercises[ex.id]?.hintsShown ?? 0;
  if (args.flags.has('all')) {
    if (shown === 0)
      ctx.print(`No hints shown yet for ${label}. \`pnpm hint ${ex.id}\` shows the first.`);
    for (const h of hints.slice(0, shown)) {
      ctx.print(chalk.yellow.bold(`💡 Hint ${h.number} of ${hints.length}`));
      ctx.print(h.body);
      ctx.print('');
    }
    return 0;
  }
  const step = nextHint(hints, shown);
  if (step.kind === 'none') {
    ctx.print(
      `${label} has no hints. Compare with the reference: ${chalk.cyan(`pnpm workbook diff ${ex.id}`)}`,
    );
    return 0;
  }
  if (step.kind === 'exhausted') {
    ctx.print(`You have seen all ${step.total} hint(s) for ${label}.`);
    ctx.print(`  ${chalk.cyan(`pnpm hint ${ex.id} --all`)}      read them again`);
    ctx.print(
      `  ${chalk.cyan(`pnpm workbook diff ${ex.id}`)}   compare your files with the reference`,
    );
    return 0;
  }
  updateExercise(file, ex.id, (p) => ({ ...p, hintsShown: step.shownAfter }), warnTo(ctx));
  ctx.print(chalk.yellow.bold(`💡 Hint ${step.hint.number} of ${step.total} for `) + label);
  ctx.print('');
  ctx.print(step.hint.body);
  ctx.print('');
  const left = step.total - step.shownAfter;
  ctx.print(
    chalk.dim(
      left > 0
        ? `${left} more hint(s): run \`pnpm hint ${ex.id}\` again. Then \`pnpm check ${ex.id}\`.`
        : `That was the last hint. Still stuck? \`pnpm workbook diff ${ex.id}\` shows the reference.`,
    ),
  );
  return 0;
}

function diff(workbook: Workbook, ex: Exercise, ctx: CliContext): number {
  const color = process.stdout.isTTY && chalk.level > 0 ? 'always' : 'never';
  ctx.print(
    `${chalk.bold(ex.id)} ${ex.title}: ${chalk.red('− your files')} against ${chalk.green('+ the reference')}`,
  );
  let same = 0;
  const names = new Set([
    ...ex.starterFiles.map((f) => path.relative(ex.dir, f)),
    ...ex.solutionFiles.map((f) => path.relative(ex.solutionDir, f)),
  ]);
  for (const name of [...names].sort()) {
    const mine = rel(path.join(ex.dir, name), workbook.root);
    const reference = rel(path.join(ex.solutionDir, name), workbook.root);
    const result = spawnSync(
      'git',
      ['--no-pager', 'diff', '--no-index', `--color=${color}`, '--', mine, reference],
      { cwd: workbook.root, encoding: 'utf8' },
    );
    if (result.error) {
      ctx.print(chalk.red(`git is needed for diff: ${result.error.message}`));
      return 1;
    }
    if (result.status === 0) same++;
    else if (result.status === 1) ctx.print(result.stdout.trimEnd());
    else ctx.print(chalk.red(result.stderr.trim()));
  }
  if (same === names.size) ctx.print(chalk.green('Your files match the reference exactly.'));
  return 0;
}

function reset(workbook: Workbook, ex: Exercise, ctx: CliContext): number {
  const result = resetExercise(workbook.root, ex);
  if (result.backup)
    ctx.print(`${MARK.info}Your attempt is saved in ${chalk.cyan(rel(result.backup, ctx.cwd))}`);
  ctx.print(`${MARK.pass} ${chalk.bold(ex.id)} restored from ${result.base.description}:`);
  for (const file of result.restored) ctx.print(`   ${rel(file, ctx.cwd)}`);
  if (result.extra.length > 0) {
    ctx.print(
      chalk.yellow(
        `   left in place (not part of the starter): ${result.extra.map((f) => rel(f, ctx.cwd)).join(', ')}`,
      ),
    );
  }
  updateExercise(
    progressFileOf(ctx),
    ex.id,
    ({ hintsShown }) => (hintsShown ? { hintsShown } : {}),
    warnTo(ctx),
  );
  ctx.print(chalk.dim(`Start again from ${rel(ex.readme, ctx.cwd)}.`));
  return 0;
}

function catchUpCommand(workbook: Workbook, ex: Exercise, ctx: CliContext): number {
  const result = catchUp(workbook.root, ex);
  if (result.backup)
    ctx.print(
      `${MARK.info}The previous attempt is saved in ${chalk.cyan(rel(result.backup, ctx.cwd))}`,
    );
  ctx.print(`${MARK.pass} ${chalk.bold(ex.id)} now holds the reference solution:`);
  for (const file of result.copied) ctx.print(`   ${rel(file, ctx.cwd)}`);
  // Remembered so progress tells it from an exercise the student solved.
  updateExercise(
    progressFileOf(ctx),
    ex.id,
    (p) => ({ ...p, caughtUp: fingerprint(ex) }),
    warnTo(ctx),
  );
  ctx.print(chalk.dim(`Run \`pnpm check ${ex.id}\` to see it pass.`));
  return 0;
}

if (isMain(import.meta.url)) {
  exitQuietlyOnClosedPipe();
  const code = await runCli(process.argv.slice(2), {
    root: REPO_ROOT,
    cwd: process.env.INIT_CWD ?? process.cwd(),
    print: (line) => console.log(line),
  });
  process.exitCode = code;
}
