/**
 * `pnpm check`: runs exercise checks on the student's code and explains the result in
 * learner terms — which exercise passes, which test fails and why (the 🚨 message), which
 * file to open, and where to get a hint. Results are remembered in `.workbook/progress.json`.
 */
import { existsSync, type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import { type CheckOutcome, hungOutcome, outcomeOf, withTypeErrors } from './check-outcome.ts';
import type { Exercise, Workbook } from './exercises.ts';
import { rel } from './paths.ts';
import { fingerprint, loadProgress, progressPath, saveProgress } from './progress.ts';
import { editedExercises } from './status.ts';
import type { Target } from './target.ts';
import { formatTypeError, typecheckExercises } from './typecheck-exercise.ts';
import { MARK } from './ui.ts';
import { fileResult, runVitest, type VitestReport } from './vitest-run.ts';
import { STALL_MS, type Stall, stallMessage } from './watchdog.ts';

export {
  brokenFileOf,
  type CheckOutcome,
  type FailedTest,
  hungOutcome,
  outcomeOf,
  plainWords,
  withTypeErrors,
} from './check-outcome.ts';

/**
 * Formats outcomes for the terminal.
 * @param cwd paths are shown relative to this folder (where the student typed the command).
 */
export function formatOutcomes(outcomes: CheckOutcome[], cwd: string, target: Target): string[] {
  const lines: string[] = [];
  for (const outcome of outcomes) {
    const { exercise: ex } = outcome;
    const title = `${chalk.bold(ex.id)} ${ex.title}`;
    const files = ex.starterFiles.map((f) => rel(f, cwd));
    const edit = (files.length ? files : [rel(ex.dir, cwd)]).join(', ');
    if (outcome.status === 'passed') {
      lines.push(
        `${MARK.pass} ${title} ${chalk.dim(`(${outcome.total}/${outcome.total} checks pass)`)}`,
      );
      continue;
    }
    if (outcome.status === 'not-started') {
      lines.push(
        `${MARK.todo} ${title} ${chalk.yellow('— not started yet:')} open ${chalk.cyan(edit)}`,
      );
      lines.push(chalk.dim(`     the task is in ${rel(ex.readme, cwd)}`));
      continue;
    }
    const typeErrors = outcome.typeErrors ?? [];
    const typeNote = typeErrors.length
      ? `, ${typeErrors.length} type error${typeErrors.length === 1 ? '' : 's'}`
      : '';
    const broken = outcome.total === 0 && outcome.loadError !== null;
    const counted = outcome.hung
      ? chalk.red('(stopped: your code never gave control back)')
      : broken
        ? chalk.red('(the check could not run)')
        : chalk.dim(`(${outcome.passed}/${outcome.total} checks pass${typeNote})`);
    lines.push(`${MARK.fail} ${title} ${counted}`);
    // A file that does not load shows the loader's framed error; tsc would only repeat it.
    if (typeErrors.length > 0 && !outcome.brokenFile) {
      lines.push(`   ${chalk.red('✗')} the type checker (tsc) finds errors:`);
      for (const error of typeErrors.slice(0, 5))
        lines.push(indent(formatTypeError(error, cwd), 7));
      if (typeErrors.length > 5) lines.push(chalk.dim(`     … and ${typeErrors.length - 5} more`));
    }
    if (outcome.loadError) {
      const whose = target === 'exercise' ? 'your file' : 'the file';
      lines.push(
        chalk.red(
          outcome.brokenFile
            ? `   ✗ ${whose} ${rel(outcome.brokenFile, cwd)} does not load:`
            : '   ✗ the check could not load the code:',
        ),
      );
      lines.push(indent(outcome.loadError, 7));
    }
    // Real assertion failures first; checks that only hit a starter's TODO fold into one line.
    const wrong = outcome.failures.filter((f) => !f.todo);
    const todos = outcome.failures.filter((f) => f.todo);
    const shown = wrong.slice(0, 4);
    for (const failure of shown) {
      lines.push(`   ${chalk.red('✗')} ${failure.name}`);
      lines.push(indent(failure.message, 7));
    }
    if (wrong.length > shown.length) {
      lines.push(chalk.dim(`     … and ${wrong.length - shown.length} more failing`));
    }
    if (todos.length > 0) {
      const count = todos.length === 1 ? '1 check still hits' : `${todos.length} checks still hit`;
      lines.push(`   ${chalk.yellow(`⏳ ${count} a TODO:`)} ${todos[0]!.message.split('\n')[0]}`);
    }
    if (target === 'exercise') {
      lines.push(`   ${chalk.cyan('✎ edit')} ${edit}`);
      lines.push(`   ${chalk.cyan('💡 stuck?')} pnpm hint ${ex.id}`);
    }
  }
  return lines;
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

/** Options of {@link checkExercises}. */
export interface CheckOptions {
  /** `exercise` (the student's code) or `solution` (instructors). @default 'exercise' */
  target?: Target;
  /** Where paths are shown from. @default process.cwd() */
  cwd?: string;
  /** Where progress is recorded. @default `<root>/.workbook/progress.json` */
  progressFile?: string;
  /** Receives the printed lines. @default console.log */
  print?: (line: string) => void;
  /**
   * How long a test worker may keep its event loop blocked before the watchdog ends the run.
   * @default `WORKBOOK_STALL_MS` or 20 s
   */
  stallMs?: number;
  /** Type-check the exercises' files too. @default true */
  typecheck?: boolean;
}

/** Everything one `pnpm check` run found. */
export interface CheckRun {
  outcomes: CheckOutcome[];
  /** Exercises skipped because their check file is missing (an authoring error). */
  missingChecks: Exercise[];
  /** vitest output when it crashed before reporting. */
  crash: string | null;
}

/**
 * Runs the checks of `exercises` in one vitest run, prints the learner report and records
 * progress (only for the `exercise` target; instructor runs on the reference do not count).
 */
export async function checkExercises(
  workbook: Workbook,
  exercises: Exercise[],
  options: CheckOptions = {},
): Promise<CheckRun> {
  const target = options.target ?? 'exercise';
  const cwd = options.cwd ?? process.cwd();
  const print = options.print ?? ((line: string) => console.log(line));
  const missingChecks = exercises.filter((ex) => !existsSync(ex.checkFile));
  for (const ex of missingChecks) {
    print(
      `${MARK.warn}${chalk.bold(ex.id)} has no check file (expected ${rel(ex.checkFile, cwd)}): ` +
        'this is a mistake in the course, please report it.',
    );
  }
  const runnable = exercises.filter((ex) => existsSync(ex.checkFile));
  if (runnable.length === 0) return { outcomes: [], missingChecks, crash: null };

  const stallMs = options.stallMs ?? (Number(process.env.WORKBOOK_STALL_MS) || STALL_MS);
  const hung = new Map<string, Stall>();
  // Tests and types side by side: tsc is single-threaded, vitest mostly waits on workers.
  const [{ report, output }, types] = await Promise.all([
    runWatched(workbook, runnable, target, stallMs, hung),
    options.typecheck === false ? null : typecheckExercises(workbook.root, runnable, target),
  ]);
  if (!report) {
    print(chalk.red('The checks could not run. vitest said:'));
    print(output.trim());
    return { outcomes: [], missingChecks, crash: output };
  }
  // On the student's code, "no check passes and nothing was edited" means not started yet;
  // the reference is never "not started".
  const edited = target === 'exercise' ? editedExercises(workbook, runnable) : null;
  const untouched = (ex: Exercise) => {
    if (target !== 'exercise') return false;
    return edited ? !edited.has(ex.id) : null;
  };
  const outcomes = runnable.map((ex) => {
    const stall = hung.get(ex.id);
    const outcome = stall
      ? hungOutcome(ex, stall)
      : outcomeOf(ex, fileResult(report, ex.checkFile), untouched(ex));
    return withTypeErrors(outcome, types?.byExercise.get(ex.id) ?? []);
  });
  for (const line of formatOutcomes(outcomes, cwd, target)) print(line);
  if (types?.failure) print(`${MARK.warn}The type checker could not run: ${types.failure}`);
  if (types && types.elsewhere.length > 0) {
    print(chalk.red(`   ✗ type errors outside the exercise files (${types.elsewhere.length}):`));
    for (const error of types.elsewhere.slice(0, 5)) print(indent(formatTypeError(error, cwd), 7));
  }
  if (target === 'exercise') {
    recordOutcomes(options.progressFile ?? progressPath(workbook.root), outcomes, print);
  }
  return { outcomes, missingChecks, crash: null };
}

/**
 * Runs the checks under the watchdog. When a worker hangs, the exercise whose check it ran is
 * recorded in `hung` and the others run again without it, so one infinite loop costs one
 * exercise, not the whole report.
 */
async function runWatched(
  workbook: Workbook,
  exercises: Exercise[],
  target: Target,
  stallMs: number,
  hung: Map<string, Stall>,
): Promise<{ report: VitestReport | null; output: string }> {
  let left = exercises;
  for (;;) {
    if (left.length === 0) return { report: emptyReport(), output: '' };
    const run = await runVitest({
      root: workbook.root,
      target,
      files: left.map((ex) => ex.checkFile),
      stallMs,
    });
    if (!run.stall) return run;
    const stall = run.stall;
    const culprit =
      left.find((ex) => stall.file && path.resolve(stall.file) === path.resolve(ex.checkFile)) ??
      (left.length === 1 ? left[0] : undefined);
    if (!culprit) {
      return {
        report: null,
        output: `${stallMessage(stall)}
${run.output}`,
      };
    }
    hung.set(culprit.id, stall);
    left = left.filter((ex) => ex !== culprit);
  }
}

function emptyReport(): VitestReport {
  return {
    numTotalTests: 0,
    numPassedTests: 0,
    numFailedTests: 0,
    numPendingTests: 0,
    numTodoTests: 0,
    numFailedTestSuites: 0,
    success: true,
    testResults: [],
  };
}

/** Stores the outcomes in the progress file, keeping what else is recorded (hints shown). */
export function recordOutcomes(
  file: string,
  outcomes: CheckOutcome[],
  warn: (line: string) => void = () => {},
  now = new Date(),
): void {
  const progress = loadProgress(file, warn);
  for (const outcome of outcomes) {
    const id = outcome.exercise.id;
    progress.exercises[id] = {
      ...progress.exercises[id],
      status: outcome.status,
      checkedAt: now.toISOString(),
      passed: outcome.passed,
      total: outcome.total,
      fingerprint: fingerprint(outcome.exercise),
    };
  }
  saveProgress(file, progress);
}

/**
 * Calls `onChange` once per burst of file changes in `dirs` (debounced), e.g. while an editor
 * saves several files. Returns a function that stops watching.
 * @default debounceMs 250
 */
export function watchFolders(
  dirs: string[],
  onChange: (file: string) => void,
  debounceMs = 250,
): () => void {
  let timer: NodeJS.Timeout | null = null;
  let last = '';
  const watchers: FSWatcher[] = [];
  for (const dir of new Set(dirs)) {
    if (!existsSync(dir)) continue;
    watchers.push(
      watch(dir, (_event, name) => {
        last = name ? path.join(dir, name.toString()) : dir;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          timer = null;
          onChange(last);
        }, debounceMs);
      }),
    );
  }
  return () => {
    if (timer) clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
