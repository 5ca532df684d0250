/**
 * What one exercise's check found, read from vitest's report (pure functions, tested without
 * vitest): the status, the failures in learner terms, a file that does not load, type errors.
 */
import path from 'node:path';
import type { Exercise } from './exercises.ts';
import type { CheckStatus } from './progress.ts';
import type { TscError } from './typecheck-exercise.ts';
import { type FileResult, failureSummary } from './vitest-run.ts';
import { type Stall, stallMessage } from './watchdog.ts';

/** A failed test, as shown to a learner. */
export interface FailedTest {
  name: string;
  /** The assertion message without the stack. */
  message: string;
  /** True when the failure is a starter's `🐨 TODO` error. */
  todo: boolean;
}

/** The result of one exercise's check. */
export interface CheckOutcome {
  exercise: Exercise;
  status: CheckStatus;
  passed: number;
  total: number;
  failures: FailedTest[];
  /** Set when the check could not even load the code (e.g. a syntax error in the file). */
  loadError: string | null;
  /** Set when the watchdog ended the check: the code never gave control back. */
  hung?: boolean;
  /** The exercise file (absolute) named by the load error, when one is (a syntax error...). */
  brokenFile?: string | null;
  /** Type errors in the exercise's files or its check (an exercise passes only without). */
  typeErrors?: TscError[];
}

/** Adds the type errors to an outcome: tests that all pass with type errors are not a pass. */
export function withTypeErrors(outcome: CheckOutcome, typeErrors: TscError[]): CheckOutcome {
  if (typeErrors.length === 0) return outcome;
  const status = outcome.status === 'passed' ? 'failing' : outcome.status;
  return { ...outcome, status, typeErrors };
}

const TODO_MARK = '🐨 TODO';

/**
 * Reads one exercise's outcome from a vitest report. Pure, so it is tested without vitest.
 * - every test passed → `passed`
 * - no test passed and the files are still the pristine starter (`untouched`), or every test
 *   failed with a starter's TODO error → `not-started`
 * - anything else (including a file that did not load) → `failing`
 * @param untouched whether the student's files equal the pristine starter; `null` when unknown
 * (no git), which leaves the decision to the TODO errors alone.
 */
export function outcomeOf(
  exercise: Exercise,
  file: FileResult | undefined,
  untouched: boolean | null = null,
): CheckOutcome {
  const base = { exercise, passed: 0, total: 0, failures: [], loadError: null };
  if (!file) {
    return {
      ...base,
      status: 'failing',
      loadError: 'the check did not run (vitest did not report it)',
    };
  }
  if (file.assertionResults.length === 0) {
    const message = file.message
      ? cleanMessage(failureSummary(file.message, 12))
          .replace(/^Transform failed with \d+ errors?:\s*/, '')
          .trim()
      : 'the check has no tests';
    return {
      ...base,
      status: 'failing',
      loadError: message,
      brokenFile: file.message ? brokenFileOf(exercise, file.message) : null,
    };
  }
  const failures: FailedTest[] = [];
  let passed = 0;
  for (const test of file.assertionResults) {
    if (test.status === 'passed') {
      passed++;
      continue;
    }
    const raw =
      test.failureMessages.join('\n') ||
      (test.status === 'skipped'
        ? 'not run: an earlier check of this exercise timed out, so the rest were skipped ' +
          '(most likely the same cause; fix that one first)'
        : `the test ended as "${test.status}"`);
    failures.push({
      name: test.fullName,
      message: plainWords(cleanMessage(failureSummary(raw))),
      todo: raw.includes(TODO_MARK),
    });
  }
  const total = file.assertionResults.length;
  let status: CheckStatus = 'failing';
  if (passed === total) status = 'passed';
  else if (
    passed === 0 &&
    (untouched === true || (untouched === null && failures.every((f) => f.todo)))
  ) {
    status = 'not-started';
  }
  return {
    ...base,
    status,
    passed,
    total,
    failures,
    loadError: file.message ? cleanMessage(file.message) : null,
  };
}

/**
 * The exercise file a load error names (its absolute path, or relative to the repository or
 * the session, as vitest and the bundler print them), or `null`.
 */
export function brokenFileOf(exercise: Exercise, message: string): string | null {
  const text = message.replaceAll('\\', '/');
  const candidates = [...exercise.starterFiles, ...exercise.solutionFiles];
  for (const file of candidates) {
    const abs = file.replaceAll('\\', '/');
    const fromSession = path
      .relative(path.dirname(exercise.sessionDir), file)
      .replaceAll('\\', '/');
    const inSession = path.relative(exercise.sessionDir, file).replaceAll('\\', '/');
    if (text.includes(abs) || text.includes(fromSession) || text.includes(inSession)) return file;
  }
  return null;
}

/**
 * Failures that only name the tool's mechanics (a test timeout, an error vitest could not
 * print) get a sentence on what they mean in the student's code.
 */
export function plainWords(message: string): string {
  const timeout = /(Test|Hook) timed out in (\d+)ms/.exec(message);
  if (timeout && !message.includes('🚨')) {
    const seconds = Math.round(Number(timeout[2]) / 1000);
    return (
      `🚨 ${timeout[1] === 'Hook' ? 'the set-up or clean-up of this check' : 'this check'} did not ` +
      `finish within ${seconds} s: something your code awaits never happens (a promise that ` +
      'never resolves, a forgotten `resolve()` or `await`, a blocking command without a timeout, ' +
      `a connection never closed).\n${message}`
    );
  }
  if (/^\s*(Error: )?STACK_TRACE_ERROR\s*$/.test(message)) {
    return (
      '🚨 this check failed with an error vitest could not print (STACK_TRACE_ERROR), often a ' +
      "value that cannot be copied between processes; run the check's file with " +
      '`pnpm exec vitest run <check file>` to see the full error.'
    );
  }
  return message;
}

/** Drops the error class prefix that vitest puts before assertion messages. */
function cleanMessage(message: string): string {
  return message.replace(/^(AssertionError|Error|TypeError|RangeError): /, '');
}

/** The outcome of an exercise whose check the watchdog ended. */
export function hungOutcome(exercise: Exercise, stall: Stall): CheckOutcome {
  return {
    exercise,
    status: 'failing',
    passed: 0,
    total: 0,
    failures: [
      {
        name: stall.test ?? 'loading the check',
        message: `🚨 ${stallMessage(stall)}`,
        todo: false,
      },
    ],
    loadError: null,
    hung: true,
  };
}
