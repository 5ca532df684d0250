/**
 * The proof that every exercise check is real:
 *
 * 1. on the untouched starter (`WORKBOOK_TARGET=exercise`) EVERY test of the check fails —
 *    a test that passes there would also pass for a student who did nothing;
 * 2. on each known-wrong variant (`WORKBOOK_TARGET=wrong`) at least one test fails.
 *
 * (That every check passes on the reference solution is part of the gate's full test run.)
 * All starter checks run in one vitest invocation, all wrong-variant checks in another.
 */
import { existsSync } from 'node:fs';
import { authoringProblems, type Exercise, type Workbook } from './exercises.ts';
import { rel } from './paths.ts';
import { failureSummary, fileResult, runVitest, type VitestReport } from './vitest-run.ts';

/** One reason the proof fails. */
export interface ProofViolation {
  /** Exercise id (or session folder for layout problems). */
  where: string;
  /** `starter` (a check that can pass without work), `wrong` (a variant not caught), `authoring`. */
  kind: 'starter' | 'wrong' | 'authoring';
  message: string;
}

/** The outcome of the proof. */
export interface ProofResult {
  /** Checks whose every test failed on the starter. */
  provenChecks: number;
  /** Wrong variants that at least one test caught. */
  caughtVariants: number;
  violations: ProofViolation[];
}

const UNTESTED_STATUS: Record<string, string> = {
  passed:
    'PASSES on the untouched starter, so it cannot tell a solved exercise from an unsolved one',
  skipped: 'was skipped (a failing beforeAll/beforeEach hook skips tests), so it proves nothing',
  pending: 'never finished, so it proves nothing',
  todo: 'is a todo, so it proves nothing',
};

/**
 * Classifies the starter run: every test of each check must have failed.
 * Pure function of the report, so it is tested without running vitest.
 */
export function classifyStarterRun(
  report: VitestReport | null,
  exercises: Exercise[],
  root: string,
): { proven: number; violations: ProofViolation[] } {
  const violations: ProofViolation[] = [];
  let proven = 0;
  for (const ex of exercises) {
    const checkName = rel(ex.checkFile, root);
    const file = report ? fileResult(report, ex.checkFile) : undefined;
    const problem = loadProblem(file, checkName, 'the starter');
    if (problem) {
      violations.push({ where: ex.id, kind: 'authoring', message: problem });
      continue;
    }
    let sound = true;
    for (const test of file!.assertionResults) {
      if (test.status === 'failed') continue;
      sound = false;
      const why = UNTESTED_STATUS[test.status] ?? `ended as "${test.status}" instead of failing`;
      violations.push({
        where: ex.id,
        kind: 'starter',
        message: `${checkName} › "${test.fullName}" ${why}. Make it call the exercise code and assert its result (or the error \`code\`).`,
      });
    }
    if (sound) proven++;
  }
  return { proven, violations };
}

/**
 * Classifies the wrong-variant run: each exercise with a `wrong/` folder needs at least one
 * failing test. A check that does not load is an authoring problem, not a catch.
 */
export function classifyWrongRun(
  report: VitestReport | null,
  exercises: Exercise[],
  root: string,
): { caught: number; violations: ProofViolation[] } {
  const violations: ProofViolation[] = [];
  let caught = 0;
  for (const ex of exercises) {
    if (!ex.wrongDir) continue;
    const checkName = rel(ex.checkFile, root);
    const file = report ? fileResult(report, ex.checkFile) : undefined;
    const problem = loadProblem(file, checkName, `the wrong variant ${rel(ex.wrongDir, root)}`);
    if (problem) {
      violations.push({ where: ex.id, kind: 'authoring', message: problem });
      continue;
    }
    if (file!.assertionResults.some((test) => test.status === 'failed')) {
      caught++;
    } else {
      violations.push({
        where: ex.id,
        kind: 'wrong',
        message:
          `the wrong variant ${rel(ex.wrongDir, root)} passes every test of ${checkName}: ` +
          'the checks miss the mistake it describes (see its WRONG.md). Add a test that fails on it.',
      });
    }
  }
  return { caught, violations };
}

function loadProblem(
  file: ReturnType<typeof fileResult>,
  checkName: string,
  against: string,
): string | null {
  if (!file)
    return `${checkName} was not run (vitest did not report it; is it in the include list?)`;
  if (file.assertionResults.length === 0) {
    return file.message
      ? `${checkName} failed to load with ${against}: ${failureSummary(file.message, 3)}`
      : `${checkName} has no tests`;
  }
  if (file.message) {
    return `${checkName} reported an error outside its tests with ${against}: ${failureSummary(file.message, 3)}`;
  }
  return null;
}

/** Options of {@link runProof}. */
export interface RunProofOptions {
  /** Show progress lines. @default () => {} */
  log?: (line: string) => void;
}

/**
 * Runs the proof over a whole workbook: layout problems, then one vitest run on the starters
 * and one on the wrong variants.
 */
export async function runProof(
  workbook: Workbook,
  options: RunProofOptions = {},
): Promise<ProofResult> {
  const log = options.log ?? (() => {});
  const violations: ProofViolation[] = authoringProblems(workbook).map((p) => ({
    where: p.where,
    kind: 'authoring' as const,
    message: p.message,
  }));
  const checked = workbook.exercises.filter((ex) => existsSync(ex.checkFile));
  if (checked.length === 0) return { provenChecks: 0, caughtVariants: 0, violations };

  // One vitest run per target; a run that crashed before reporting is an authoring problem.
  const runChecks = async (target: 'exercise' | 'wrong', exercises: typeof checked) => {
    const run = await runVitest({
      root: workbook.root,
      target,
      files: exercises.map((ex) => ex.checkFile),
    });
    if (!run.report) {
      violations.push({ where: 'vitest', kind: 'authoring', message: crashMessage(run.output) });
    }
    return run.report;
  };

  log(`running ${checked.length} checks on the untouched starters (WORKBOOK_TARGET=exercise)`);
  const starter = classifyStarterRun(await runChecks('exercise', checked), checked, workbook.root);
  violations.push(...starter.violations);

  const withWrong = checked.filter((ex) => ex.wrongDir);
  let caught = 0;
  if (withWrong.length > 0) {
    log(`running ${withWrong.length} checks on the wrong variants (WORKBOOK_TARGET=wrong)`);
    const wrong = classifyWrongRun(await runChecks('wrong', withWrong), withWrong, workbook.root);
    violations.push(...wrong.violations);
    caught = wrong.caught;
  }
  return { provenChecks: starter.proven, caughtVariants: caught, violations };
}

function crashMessage(output: string): string {
  return `vitest stopped without a report:\n${output.trim().split('\n').slice(-15).join('\n')}`;
}

/** `Proof: 23 checks fail on their starters, 4 wrong variants caught`. */
export function proofLine(result: ProofResult): string {
  const n = result.provenChecks;
  const checks = n === 1 ? '1 check fails on its starter' : `${n} checks fail on their starters`;
  const variants = `${result.caughtVariants} wrong variant${result.caughtVariants === 1 ? '' : 's'}`;
  const broken = result.violations.length;
  const tail = broken ? `, ${broken} problem${broken === 1 ? '' : 's'}` : '';
  return `Proof: ${checks}, ${variants} caught${tail}`;
}

/** The violations as printable lines, grouped by kind. */
export function formatViolations(violations: ProofViolation[]): string[] {
  const titles: Record<ProofViolation['kind'], string> = {
    authoring: 'Authoring problems',
    starter: 'Checks that pass on an untouched starter',
    wrong: 'Wrong variants no check catches',
  };
  const lines: string[] = [];
  for (const kind of ['authoring', 'starter', 'wrong'] as const) {
    const group = violations.filter((v) => v.kind === kind);
    if (group.length === 0) continue;
    lines.push(`${titles[kind]}:`);
    for (const v of group) lines.push(`  ✗ ${v.where}: ${v.message.replaceAll('\n', '\n      ')}`);
  }
  return lines;
}
