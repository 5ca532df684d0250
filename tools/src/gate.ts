/**
 * `pnpm test`: the one gate of the course. In order, stopping at the first failure:
 *
 * 1. lint and format (`biome check .`); a failure names `pnpm format`
 * 2. typecheck on both targets of the exercise switch
 * 3. the whole vitest suite on the reference solutions (library tests + every check) — not on
 *    the student's exercises, which `pnpm check --all` checks
 * 4. the proof: every check fails on its untouched starter, every wrong variant and catalogue
 *    mistake is caught
 *
 * The last lines are a plain summary that CI logs and people can read:
 * `Proof: ...` and `Tests: N passed, N failed`.
 *
 * With `WORKBOOK_GATE_REPORT=<file>` it also writes the outcome as JSON ({@link GateReport}):
 * the failed tests with the first lines of their failures, for `.ci/run` and the soak script.
 */
import { writeFileSync } from 'node:fs';
import chalk from 'chalk';
import { discoverWorkbook } from './exercises.ts';
import { binEntry, isMain, REPO_ROOT, rel } from './paths.ts';
import {
  formatCatalogue,
  formatViolations,
  type ProofResult,
  type ProofViolation,
  proofLine,
  runProof,
} from './proof.ts';
import { run } from './spawn.ts';
import { typecheck } from './typecheck.ts';
import { banner, heading, seconds } from './ui.ts';
import { failureSummary, runVitest, type VitestReport } from './vitest-run.ts';

/** Printed under a failed lint step: most findings are formatting, which one command fixes. */
export const FORMAT_HINT =
  '  Formatting and the fixable lint findings: run `pnpm format` (biome check --write .), then ' +
  '`pnpm lint` to see what is left to fix by hand.';

/** Counts behind the final `Tests:` line. */
export interface GateCounts {
  passed: number;
  failed: number;
}

/**
 * Counts of the suite: passed and failed tests, plus one failure per test file that failed
 * without a failing test (it did not load), so a broken file can never read as "0 failed".
 */
export function suiteCounts(report: VitestReport | null): GateCounts {
  if (!report) return { passed: 0, failed: 1 };
  const brokenFiles = report.testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((t) => t.status === 'failed'),
  ).length;
  return { passed: report.numPassedTests, failed: report.numFailedTests + brokenFiles };
}

/** `Tests: 412 passed, 0 failed`: the plain last line of the gate. */
export function summaryLine(counts: GateCounts): string {
  return `Tests: ${counts.passed} passed, ${counts.failed} failed`;
}

/** One failed test (or a test file that did not load) in the gate's report file. */
export interface GateFailure {
  /** Test file, relative to the repository root. */
  file: string;
  /** Describe blocks and test name; empty when the file itself failed. */
  test: string;
  /** The first lines of the failure, without the stack. */
  message: string;
}

/** What `WORKBOOK_GATE_REPORT=<file>` receives: read by `.ci/run` and `pnpm run soak-tests`. */
export interface GateReport {
  ok: boolean;
  failedStep: string | null;
  counts: GateCounts;
  failures: GateFailure[];
  proofViolations: ProofViolation[];
}

/** The failed tests of a vitest report, and the files that failed without a failing test. */
export function failedTests(report: VitestReport | null, root = REPO_ROOT): GateFailure[] {
  if (!report) return [{ file: '', test: '', message: 'vitest stopped without a report' }];
  return report.testResults.flatMap((file) => {
    const name = rel(file.name, root);
    const tests = file.assertionResults.filter((t) => t.status === 'failed');
    if (tests.length === 0 && file.status === 'failed')
      return [{ file: name, test: '', message: failureSummary(file.message) }];
    return tests.map((t) => ({
      file: name,
      test: t.fullName,
      message: failureSummary(t.failureMessages[0] ?? ''),
    }));
  });
}

interface Step {
  /** Short name for `--skip`. */
  key: GateStep;
  title: string;
  run(): Promise<boolean>;
}

/** The gate's steps, in order. */
export const GATE_STEPS = ['lint', 'typecheck', 'tests', 'proof'] as const;
export type GateStep = (typeof GATE_STEPS)[number];

/**
 * Reads `--skip lint,typecheck` (or `--skip=lint`) from the command line: for authors who
 * want the later steps while a step is red. A skipped step makes the gate fail, so a partial
 * run is never mistaken for a pass.
 * @throws {Error} naming the valid steps when an unknown one is given.
 */
export function parseSkip(argv: string[]): Set<GateStep> {
  const skip = new Set<GateStep>();
  argv.forEach((arg, i) => {
    const value = arg.startsWith('--skip=')
      ? arg.slice(7)
      : arg === '--skip'
        ? argv[i + 1]
        : undefined;
    for (const name of value?.split(',').filter(Boolean) ?? []) {
      if (!(GATE_STEPS as readonly string[]).includes(name)) {
        throw new Error(
          `Expected --skip to name steps among ${GATE_STEPS.join(', ')}, got \`${name}\``,
        );
      }
      skip.add(name as GateStep);
    }
  });
  return skip;
}

/**
 * `--runtime-only`: lint, typecheck and tests, without the proof. For a second run of the gate on
 * another Node version (CI runs the full gate on the machine's Node, then this on Node 24): the
 * proof judges the checks themselves (starters fail, mistakes are caught), which does not change
 * with the runtime, and it is the slowest step. Not a skip: the run says what it left out.
 */
export const RUNTIME_ONLY_FLAG = '--runtime-only';

/** The steps a run leaves out by design: the proof under {@link RUNTIME_ONLY_FLAG}. */
export function leftOutSteps(argv: string[]): Set<GateStep> {
  return new Set(argv.includes(RUNTIME_ONLY_FLAG) ? (['proof'] as const) : []);
}

/** Runs the gate; returns the exit code. */
export async function gate(
  root = REPO_ROOT,
  skip: Set<GateStep> = new Set(),
  leftOut: Set<GateStep> = new Set(),
): Promise<number> {
  const counts: GateCounts = { passed: 0, failed: 0 };
  // Held in an object: steps assign it from closures, which control-flow narrowing ignores.
  const state: { proof: ProofResult | null; failures: GateFailure[] } = {
    proof: null,
    failures: [],
  };
  const allSteps: Step[] = [
    {
      key: 'lint',
      title: 'Lint and format (biome check .): code style, formatting and layering rules',
      run: async () => {
        const result = await run(
          process.execPath,
          [binEntry('@biomejs/biome', 'biome', root), 'check', '.'],
          {
            cwd: root,
            inherit: true,
          },
        );
        if (result.exitCode !== 0) console.log(chalk.yellow(FORMAT_HINT));
        return result.exitCode === 0;
      },
    },
    {
      key: 'typecheck',
      title:
        "Typecheck (tsc): the whole repository, once with exercises/ (the student's code) " +
        'and once with solutions/ (the references)',
      run: async () => (await typecheck(root)).ok,
    },
    {
      key: 'tests',
      title:
        'Tests (vitest, WORKBOOK_TARGET=solution): library tests and every check, on the ' +
        'REFERENCE solutions, not on your exercises (`pnpm check --all` checks those)',
      run: async () => {
        const { report, exitCode } = await runVitest({ root, target: 'solution', inherit: true });
        const suite = suiteCounts(report);
        state.failures = failedTests(report, root);
        counts.passed += suite.passed;
        counts.failed += suite.failed;
        return exitCode === 0 && suite.failed === 0;
      },
    },
    {
      key: 'proof',
      title:
        'Proof: every check fails on its untouched starter and catches the wrong variants and ' +
        'the mistake catalogue',
      run: async () => {
        const proof = await runProof(discoverWorkbook(root), {
          log: (line) => console.log(chalk.dim(`  ${line}`)),
        });
        state.proof = proof;
        for (const line of formatCatalogue(proof)) console.log(chalk.yellow(line));
        for (const line of formatViolations(proof.violations)) console.log(chalk.red(line));
        counts.failed += proof.violations.length;
        return proof.violations.length === 0;
      },
    },
  ];
  const steps = allSteps.filter((step) => !leftOut.has(step.key));

  const started = Date.now();
  let failedStep: string | null = null;
  let failedKey: GateStep | null = null;
  for (const [index, step] of steps.entries()) {
    const label = `${index + 1}/${steps.length} ${step.title}`;
    console.log(`\n${heading(label)}`);
    if (skip.has(step.key)) {
      console.log(chalk.yellow(`  skipped (--skip ${step.key})`));
      continue;
    }
    const stepStart = Date.now();
    let ok: boolean;
    try {
      ok = await step.run();
    } catch (error) {
      console.error(chalk.red((error as Error).stack ?? String(error)));
      ok = false;
    }
    console.log(chalk.dim(`  ${ok ? 'done' : 'FAILED'} in ${seconds(Date.now() - stepStart)}`));
    if (!ok) {
      failedStep = label;
      failedKey = step.key;
      break;
    }
  }

  // A failed lint or typecheck has no test counts; it still must not read as "0 failed".
  if (failedStep && counts.failed === 0) counts.failed = 1;
  // Likewise a skipped step: a partial run must never read as a pass.
  counts.failed += skip.size;
  const total = seconds(Date.now() - started);
  const skipped = [...skip].join(', ');
  console.log('');
  if (failedStep)
    console.log(
      banner(`✖ Gate failed at step ${failedStep} (after ${total})`, false) +
        (failedKey === 'lint' ? `\n${FORMAT_HINT.trim()}` : ''),
    );
  else if (skipped)
    console.log(banner(`✖ Incomplete: skipped ${skipped}; the rest passed (${total})`, false));
  else if (leftOut.has('proof'))
    console.log(
      banner(`✔ Gate passed (${RUNTIME_ONLY_FLAG}): lint, typecheck and tests (${total})`, true),
    );
  else console.log(banner(`✔ Gate passed: lint, typecheck, tests and proof (${total})`, true));
  console.log(
    state.proof
      ? proofLine(state.proof)
      : leftOut.has('proof')
        ? `Proof: left out (${RUNTIME_ONLY_FLAG}: it judges the checks, not the runtime; the full gate runs it)`
        : 'Proof: not run',
  );
  console.log(summaryLine(counts));
  const reportFile = process.env.WORKBOOK_GATE_REPORT;
  if (reportFile) {
    const report: GateReport = {
      ok: !failedStep && !skipped,
      failedStep,
      counts,
      failures: state.failures,
      proofViolations: state.proof?.violations ?? [],
    };
    writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  }
  return failedStep || skipped ? 1 : 0;
}

if (isMain(import.meta.url)) {
  const argv = process.argv.slice(2);
  process.exitCode = await gate(REPO_ROOT, parseSkip(argv), leftOutSteps(argv));
}
