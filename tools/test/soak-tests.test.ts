import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { failedTests, type GateReport } from '../src/gate.ts';
import {
  failLines,
  formatSoakReport,
  parseSoakArgs,
  runFailures,
  type SoakRun,
  tallyFailures,
} from '../src/soak-tests.ts';
import type { VitestReport } from '../src/vitest-run.ts';

const ROOT = '/repo';

function vitestReport(files: VitestReport['testResults']): VitestReport {
  return {
    numTotalTests: 0,
    numPassedTests: 0,
    numFailedTests: 0,
    numPendingTests: 0,
    numTodoTests: 0,
    numFailedTestSuites: 0,
    success: false,
    testResults: files,
  };
}

function gateReport(partial: Partial<GateReport>): GateReport {
  return {
    ok: false,
    failedStep: '3/4 Tests',
    counts: { passed: 1, failed: 1 },
    failures: [],
    proofViolations: [],
    ...partial,
  };
}

describe("the gate's failure list", () => {
  it('names each failed test by file and full name, with the failure without its stack', () => {
    const report = vitestReport([
      {
        name: path.join(ROOT, 'session05-monitoring/test/cli.test.ts'),
        status: 'failed',
        message: '',
        assertionResults: [
          { fullName: 'cli lists', title: 'lists', status: 'passed', failureMessages: [] },
          {
            fullName: 'cli dlq list',
            title: 'dlq list',
            status: 'failed',
            failureMessages: ["AssertionError: expected 'b' to be 'a'\n    at cli.test.ts:12:3"],
          },
        ],
      },
      { name: path.join(ROOT, 'x.test.ts'), status: 'passed', message: '', assertionResults: [] },
    ]);
    expect(failedTests(report, ROOT)).toEqual([
      {
        file: 'session05-monitoring/test/cli.test.ts',
        test: 'cli dlq list',
        message: "AssertionError: expected 'b' to be 'a'",
      },
    ]);
  });

  it('lists a file that failed without a failing test (it did not load), and a missing report', () => {
    const report = vitestReport([
      {
        name: path.join(ROOT, 'a.test.ts'),
        status: 'failed',
        message: 'Error: Cannot find module x\n    at load',
        assertionResults: [],
      },
    ]);
    expect(failedTests(report, ROOT)).toEqual([
      { file: 'a.test.ts', test: '', message: 'Error: Cannot find module x' },
    ]);
    expect(failedTests(null, ROOT)).toHaveLength(1);
  });
});

describe('soak-tests', () => {
  it('reads runs, --load, --keep-clone and --out, and refuses anything else', () => {
    expect(parseSoakArgs([])).toEqual({
      runs: 3,
      load: false,
      keepClone: false,
      out: null,
      skip: [],
    });
    expect(parseSoakArgs(['--', '12', '--load', '--out', '/tmp/s', '--skip', 'lint'])).toEqual({
      runs: 12,
      load: true,
      keepClone: false,
      out: '/tmp/s',
      skip: ['lint'],
    });
    expect(parseSoakArgs(['--skip=lint,typecheck']).skip).toEqual(['lint', 'typecheck']);
    expect(parseSoakArgs(['--keep-clone', '--out=/x']).out).toBe('/x');
    expect(() => parseSoakArgs(['0'])).toThrow(/number of runs/);
    expect(() => parseSoakArgs(['--loud'])).toThrow(/got `--loud`/);
    expect(() => parseSoakArgs(['--out'])).toThrow(/folder after --out/);
  });

  it("takes a run's failures from the gate's report: tests, files that did not load, proof problems", () => {
    const report = gateReport({
      failures: [
        { file: 'a.test.ts', test: 'a works', message: 'AssertionError: no' },
        { file: 'b.test.ts', test: '', message: 'Error: syntax' },
      ],
      proofViolations: [{ where: '05.1', kind: 'starter', message: 'passes on the starter' }],
    });
    expect(runFailures(report, '', 1).map((f) => f.key)).toEqual([
      'a.test.ts > a works',
      'b.test.ts (did not load)',
      'proof: 05.1 (starter)',
    ]);
    // A red step without test failures (lint, typecheck) is still a failure, named by its step.
    expect(runFailures(gateReport({ failedStep: '1/4 Lint' }), 'biome: 2 errors\n', 1)).toEqual([
      { key: 'gate: 1/4 Lint', message: 'biome: 2 errors' },
    ]);
    expect(runFailures(gateReport({ ok: true, failedStep: null }), '', 0)).toEqual([]);
    // Only skipped steps (--skip): the gate exits 1 with no failed step; nothing failed.
    expect(runFailures(gateReport({ ok: false, failedStep: null }), '', 1)).toEqual([]);
  });

  it("without a report, falls back to vitest's FAIL lines, then to the run as a whole", () => {
    const log = [
      '\u001b[31m FAIL \u001b[39m session08-scaling/test/local-autoscaler.test.ts > local autoscaler > scales',
      'AssertionError: expected 3 to be 0',
      ' FAIL  session08-scaling/test/local-autoscaler.test.ts > local autoscaler > scales',
      ' FAIL  tools/test/x.test.ts > y [ tools ]',
    ].join('\n');
    expect(failLines(log)).toEqual([
      'session08-scaling/test/local-autoscaler.test.ts > local autoscaler scales',
      'tools/test/x.test.ts > y',
    ]);
    expect(runFailures(null, log, 1)).toHaveLength(2);
    expect(runFailures(null, 'ERR_PNPM_FETCH_404\n', 1)).toEqual([
      { key: 'gate: no report', message: 'ERR_PNPM_FETCH_404' },
    ]);
    expect(runFailures(null, 'all good\n', 0)).toEqual([]);
  });

  it('tallies each failure once per run, most frequent first and ties by name', () => {
    const failure = (key: string) => ({ key, message: `${key} failed\nmore` });
    const runs: SoakRun[] = [
      { index: 1, exitCode: 0, durationMs: 1000, failures: [], logFile: null },
      {
        index: 2,
        exitCode: 1,
        durationMs: 2000,
        failures: [failure('b'), failure('b'), failure('a')],
        logFile: '/s/run-2.log',
      },
      {
        index: 3,
        exitCode: 1,
        durationMs: 3000,
        failures: [failure('b')],
        logFile: '/s/run-3.log',
      },
      {
        index: 4,
        exitCode: 1,
        durationMs: 3000,
        failures: [failure('c')],
        logFile: '/s/run-4.log',
        load: { mean: 4.25, min: 3.125 },
      },
    ];
    expect(tallyFailures(runs).map((t) => [t.key, t.runs])).toEqual([
      ['b', [2, 3]],
      ['a', [2]],
      ['c', [4]],
    ]);
    const report = formatSoakReport(runs, { load: true, commit: 'abc123 msg', skip: ['lint'] });
    expect(report[0]).toBe(
      'Soak of commit abc123 msg: 4 gate runs with a CPU-bound process per core beside it, 1 green, 3 red',
    );
    expect(report[1]).toBe('  (gate steps skipped in every run: lint)');
    expect(report).toContain('  run 1: green in 1.0 s');
    expect(report).toContain('  run 2: RED in 2.0 s (log: /s/run-2.log)');
    expect(report).toContain(
      '  run 4: RED in 3.0 s, load average 4.3 (lowest 3.1) (log: /s/run-4.log)',
    );
    expect(report).toContain('  2/4  b  (runs 2, 3)');
    expect(report).toContain('        b failed');
  });

  it('says so when nothing failed', () => {
    const runs: SoakRun[] = [
      { index: 1, exitCode: 0, durationMs: 500, failures: [], logFile: null },
    ];
    expect(formatSoakReport(runs, { load: false, commit: 'abc' }).at(-1)).toBe('No test failed.');
  });
});
