/**
 * The proof that every exercise check is real:
 *
 * 1. on the untouched starter (`WORKBOOK_TARGET=exercise`) EVERY test of the check fails —
 *    a test that passes there would also pass for a student who did nothing;
 * 2. on each known-wrong variant (`WORKBOOK_TARGET=wrong`) at least one test fails;
 * 3. on each mistake of the catalogue (`WORKBOOK_TARGET=mistake`, `mistakes/<EE>-<slug>/<m>/`)
 *    at least one test fails, and a failing test's message contains the text of the 🚨 line
 *    of its MISTAKE.md (likewise for a WRONG.md that has one): the check names the real cause.
 *
 * (That every check passes on the reference solution is part of the gate's full test run.)
 * All starter checks run in one vitest invocation, all wrong-variant checks in another, and the
 * catalogue in waves: wave k loads the k-th mistake of every exercise at once.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { authoringProblems, type Exercise, type Workbook } from './exercises.ts';
import { MISTAKES_WANTED, type Mistake } from './mistakes.ts';
import { rel } from './paths.ts';
import { failureSummary, fileResult, runVitest, type VitestReport } from './vitest-run.ts';

/** One reason the proof fails. */
export interface ProofViolation {
  /** Exercise id (or session folder for layout problems). */
  where: string;
  /**
   * `starter` (a check that can pass without work), `wrong` (a variant not caught),
   * `mistake` (a catalogue mistake not caught, or caught without its 🚨 message), `authoring`.
   */
  kind: 'starter' | 'wrong' | 'mistake' | 'authoring';
  message: string;
}

/** How much of one exercise's mistake catalogue (wrong variant included) the check catches. */
export interface CatalogueCount {
  id: string;
  /** Mistakes in the catalogue (the wrong variant counts as one). */
  total: number;
  /** Mistakes caught with their 🚨 message. */
  caught: number;
}

/** The outcome of the proof. */
export interface ProofResult {
  /** Checks whose every test failed on the starter. */
  provenChecks: number;
  /** Wrong variants that at least one test caught. */
  caughtVariants: number;
  /** Catalogue mistakes (under `mistakes/`) caught with their 🚨 message. */
  caughtMistakes?: number;
  /** Catalogue mistakes (under `mistakes/`) in all. */
  catalogueMistakes?: number;
  /** Per exercise, in workbook order. */
  catalogue?: CatalogueCount[];
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
 * failing test (and, when its WRONG.md has a 🚨 line, a failing message containing it). A check
 * that does not load is an authoring problem, not a catch.
 */
export function classifyWrongRun(
  report: VitestReport | null,
  exercises: Exercise[],
  root: string,
): { caught: number; violations: ProofViolation[] } {
  const entries = exercises.flatMap((exercise): MistakeEntry[] => {
    if (!exercise.wrongDir) return [];
    const known = exercise.mistakes.find((m) => m.kind === 'wrong');
    const mistake: Mistake = known ?? {
      kind: 'wrong',
      slug: 'wrong',
      dir: exercise.wrongDir,
      docFile: path.join(exercise.wrongDir, 'WRONG.md'),
      doc: { name: null, description: '', alarm: null },
      selector: null,
    };
    return [{ exercise, mistake }];
  });
  return classifyMistakeRun(report, entries, root);
}

/** One mistake of one exercise, as run by a wave of the proof. */
export interface MistakeEntry {
  exercise: Exercise;
  mistake: Mistake;
}

/**
 * Classifies a run of mistakes (the wrong variants, or one wave of the catalogue): each needs
 * a failing test, and when its doc has a 🚨 line, a failing test whose message contains it.
 */
export function classifyMistakeRun(
  report: VitestReport | null,
  entries: MistakeEntry[],
  root: string,
): { caught: number; violations: ProofViolation[] } {
  const violations: ProofViolation[] = [];
  let caught = 0;
  for (const { exercise: ex, mistake } of entries) {
    const checkName = rel(ex.checkFile, root);
    const where = rel(mistake.dir, root);
    const what = mistake.kind === 'wrong' ? `the wrong variant ${where}` : `the mistake ${where}`;
    const kind = mistake.kind === 'wrong' ? 'wrong' : 'mistake';
    const file = report ? fileResult(report, ex.checkFile) : undefined;
    const problem = loadProblem(file, checkName, what);
    if (problem) {
      violations.push({ where: ex.id, kind: 'authoring', message: problem });
      continue;
    }
    const failed = file!.assertionResults.filter((test) => test.status === 'failed');
    const doc = mistake.kind === 'wrong' ? 'WRONG.md' : 'MISTAKE.md';
    if (failed.length === 0) {
      violations.push({
        where: ex.id,
        kind,
        message:
          `${what} passes every test of ${checkName}: ` +
          `the checks miss the mistake it describes (see its ${doc}). Add a test that fails on it.`,
      });
      continue;
    }
    const alarm = mistake.doc.alarm;
    if (alarm && !failed.some((test) => test.failureMessages.join('\n').includes(alarm))) {
      const seen = failed
        .slice(0, 3)
        .map((test) => `"${test.fullName}": ${failureSummary(test.failureMessages[0] ?? '', 2)}`)
        .join('\n');
      violations.push({
        where: ex.id,
        kind,
        message:
          `${what} is caught, but no failing test of ${checkName} says "🚨 ${alarm}" ` +
          `(the 🚨 line of its ${doc}); the student sees instead:\n${seen}`,
      });
      continue;
    }
    caught++;
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
  const runChecks = async (
    target: 'exercise' | 'wrong' | 'mistake',
    exercises: typeof checked,
    env?: Record<string, string>,
  ) => {
    const run = await runVitest({
      root: workbook.root,
      target,
      files: exercises.map((ex) => ex.checkFile),
      env,
    });
    if (!run.report) {
      violations.push({ where: 'vitest', kind: 'authoring', message: crashMessage(run.output) });
    }
    return run.report;
  };

  log(`running ${checked.length} checks on the untouched starters (WORKBOOK_TARGET=exercise)`);
  const starter = classifyStarterRun(await runChecks('exercise', checked), checked, workbook.root);
  violations.push(...starter.violations);

  const caughtBy = new Map<string, number>();
  const count = (ex: Exercise, n: number) => caughtBy.set(ex.id, (caughtBy.get(ex.id) ?? 0) + n);
  const withWrong = checked.filter((ex) => ex.wrongDir);
  let caught = 0;
  if (withWrong.length > 0) {
    log(`running ${withWrong.length} checks on the wrong variants (WORKBOOK_TARGET=wrong)`);
    const report = await runChecks('wrong', withWrong);
    for (const ex of withWrong) {
      const one = classifyWrongRun(report, [ex], workbook.root);
      violations.push(...one.violations);
      count(ex, one.caught);
      caught += one.caught;
    }
  }

  let caughtMistakes = 0;
  for (const [k, wave] of catalogueWaves(checked).entries()) {
    log(
      `wave ${k + 1}: running ${wave.length} checks on mistake ${k + 1} of their catalogue ` +
        '(WORKBOOK_TARGET=mistake)',
    );
    const selectors = wave.map((entry) => entry.mistake.selector!).join(',');
    const report = await runChecks(
      'mistake',
      wave.map((entry) => entry.exercise),
      { WORKBOOK_MISTAKE: selectors },
    );
    for (const entry of wave) {
      const one = classifyMistakeRun(report, [entry], workbook.root);
      violations.push(...one.violations);
      count(entry.exercise, one.caught);
      caughtMistakes += one.caught;
    }
  }

  const catalogue = checked.map((ex) => ({
    id: ex.id,
    total: ex.mistakes.length,
    caught: caughtBy.get(ex.id) ?? 0,
  }));
  return {
    provenChecks: starter.proven,
    caughtVariants: caught,
    caughtMistakes,
    catalogueMistakes: checked.flatMap((ex) => ex.mistakes.filter((m) => m.kind === 'mistake'))
      .length,
    catalogue,
    violations: [...catalogueViolations(checked), ...violations],
  };
}

/** Wave k holds the k-th `mistakes/` entry of every exercise that has one. */
export function catalogueWaves(exercises: Exercise[]): MistakeEntry[][] {
  const waves: MistakeEntry[][] = [];
  for (const exercise of exercises) {
    const own = exercise.mistakes.filter((m) => m.kind === 'mistake' && m.doc.alarm);
    own.forEach((mistake, k) => {
      waves[k] ??= [];
      waves[k]!.push({ exercise, mistake });
    });
  }
  return waves;
}

/**
 * Where an exercise falls short of the catalogue rule (authoring problems that fail the
 * proof): fewer than {@link MISTAKES_WANTED} mistakes, a WRONG.md without its 🚨 line.
 */
export function catalogueViolations(exercises: Exercise[]): ProofViolation[] {
  const violations: ProofViolation[] = [];
  for (const ex of exercises) {
    const n = ex.mistakes.length;
    if (n < MISTAKES_WANTED) {
      violations.push({
        where: ex.id,
        kind: 'authoring',
        message:
          `${n} of the ${MISTAKES_WANTED} mistakes its catalogue needs ` +
          `(add folders under mistakes/${ex.folder}/, each with the mistaken file and a MISTAKE.md ending in its 🚨 line)`,
      });
    }
    const wrong = ex.mistakes.find((m) => m.kind === 'wrong');
    if (wrong && !wrong.doc.alarm) {
      violations.push({
        where: ex.id,
        kind: 'authoring',
        message:
          `wrong/${ex.folder}/WRONG.md has no last "🚨 <message>" line, so the proof ` +
          'cannot tell whether the check names the mistake',
      });
    }
  }
  return violations;
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
  const own = result.catalogueMistakes ?? 0;
  const mistakes =
    own > 0 ? `, ${result.caughtMistakes ?? 0} of ${own} catalogue mistakes caught` : '';
  return `Proof: ${checks}, ${variants} caught${mistakes}${tail}`;
}

/** The violations as printable lines, grouped by kind. */
export function formatViolations(violations: ProofViolation[]): string[] {
  const titles: Record<ProofViolation['kind'], string> = {
    authoring: 'Authoring problems',
    starter: 'Checks that pass on an untouched starter',
    wrong: 'Wrong variants no check catches',
    mistake: 'Catalogue mistakes not caught, or caught without their 🚨 message',
  };
  const lines: string[] = [];
  for (const kind of ['authoring', 'starter', 'wrong', 'mistake'] as const) {
    const group = violations.filter((v) => v.kind === kind);
    if (group.length === 0) continue;
    lines.push(`${titles[kind]}:`);
    for (const v of group) lines.push(`  ✗ ${v.where}: ${v.message.replaceAll('\n', '\n      ')}`);
  }
  return lines;
}

/** The catalogue per exercise (`01.1 3/5`), as printable lines. */
export function formatCatalogue(result: ProofResult): string[] {
  const lines: string[] = [];
  const rows = result.catalogue ?? [];
  if (rows.length > 0) {
    lines.push('Mistake catalogue (caught / in the catalogue, wrong variant included):');
    const cells = rows.map((c) => `${c.id} ${c.caught}/${c.total}`);
    for (let i = 0; i < cells.length; i += 8) {
      lines.push(
        `  ${cells
          .slice(i, i + 8)
          .map((cell) => cell.padEnd(11))
          .join('')}`.trimEnd(),
      );
    }
  }
  return lines;
}
