import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverWorkbook } from '../src/exercises.ts';
import { leftOutSteps, parseSkip, suiteCounts, summaryLine } from '../src/gate.ts';
import { classifyStarterRun, classifyWrongRun, proofLine, runProof } from '../src/proof.ts';
import type { FileResult, TestResult, VitestReport } from '../src/vitest-run.ts';
import { FIXTURE_ROOT, SLOW_MS } from './helpers.ts';

const workbook = discoverWorkbook(FIXTURE_ROOT);
const [double, shout] = workbook.exercises as [
  (typeof workbook.exercises)[0],
  (typeof workbook.exercises)[0],
];

function test(fullName: string, status: TestResult['status']): TestResult {
  return {
    fullName,
    title: fullName,
    status,
    failureMessages: status === 'failed' ? ['Error: 🐨 TODO'] : [],
  };
}

function report(files: FileResult[]): VitestReport {
  const tests = files.flatMap((f) => f.assertionResults);
  return {
    numTotalTests: tests.length,
    numPassedTests: tests.filter((t) => t.status === 'passed').length,
    numFailedTests: tests.filter((t) => t.status === 'failed').length,
    numPendingTests: 0,
    numTodoTests: 0,
    numFailedTestSuites: files.filter((f) => f.status === 'failed').length,
    success: false,
    testResults: files,
  };
}

function file(name: string, tests: TestResult[], message = ''): FileResult {
  const failed = message !== '' || tests.some((t) => t.status === 'failed');
  return { name, status: failed ? 'failed' : 'passed', message, assertionResults: tests };
}

describe('classifyStarterRun', () => {
  it('proves a check whose every test fails on the starter', () => {
    const result = classifyStarterRun(
      report([file(double.checkFile, [test('doubles 2', 'failed'), test('doubles 3', 'failed')])]),
      [double],
      FIXTURE_ROOT,
    );
    expect(result).toEqual({ proven: 1, violations: [] });
  });

  it('names the exercise, the check file and the test that passes on the starter', () => {
    const result = classifyStarterRun(
      report([
        file(shout.checkFile, [test('shouts hi', 'failed'), test('is a function', 'passed')]),
      ]),
      [shout],
      FIXTURE_ROOT,
    );
    expect(result.proven).toBe(0);
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({ where: '01.2', kind: 'starter' });
    expect(result.violations[0]!.message).toContain(
      'session01-fixture/test/exercises/02-shout.test.ts › "is a function" PASSES on the untouched starter',
    );
  });

  it('counts skipped tests, files that do not load, empty files and missing files as problems', () => {
    const skipped = classifyStarterRun(
      report([file(double.checkFile, [test('a', 'failed'), test('b', 'skipped')])]),
      [double],
      FIXTURE_ROOT,
    );
    expect(skipped.violations[0]!.message).toContain('"b" was skipped');
    const broken = classifyStarterRun(
      report([file(double.checkFile, [], 'SyntaxError: Unexpected token\n    at x.ts:1')]),
      [double],
      FIXTURE_ROOT,
    );
    expect(broken.violations).toEqual([
      {
        where: '01.1',
        kind: 'authoring',
        message:
          'session01-fixture/test/exercises/01-double.test.ts failed to load with the starter: SyntaxError: Unexpected token',
      },
    ]);
    const empty = classifyStarterRun(report([file(double.checkFile, [])]), [double], FIXTURE_ROOT);
    expect(empty.violations[0]!.message).toBe(
      'session01-fixture/test/exercises/01-double.test.ts has no tests',
    );
    const missing = classifyStarterRun(report([]), [double], FIXTURE_ROOT);
    expect(missing.violations[0]!.message).toContain('was not run');
    expect(classifyStarterRun(null, [double], FIXTURE_ROOT).proven).toBe(0);
  });
});

describe('classifyWrongRun', () => {
  it('counts a variant as caught when at least one test fails', () => {
    const result = classifyWrongRun(
      report([file(double.checkFile, [test('doubles 2', 'passed'), test('doubles 3', 'failed')])]),
      [double],
      FIXTURE_ROOT,
    );
    expect(result).toEqual({ caught: 1, violations: [] });
  });

  it('names the variant no test catches', () => {
    const result = classifyWrongRun(
      report([
        file(shout.checkFile, [test('shouts hi', 'passed'), test('is a function', 'passed')]),
      ]),
      [shout],
      FIXTURE_ROOT,
    );
    expect(result.caught).toBe(0);
    expect(result.violations[0]).toMatchObject({ where: '01.2', kind: 'wrong' });
    expect(result.violations[0]!.message).toContain(
      'the wrong variant session01-fixture/wrong/02-shout passes every test of session01-fixture/test/exercises/02-shout.test.ts',
    );
  });

  it('does not count a check that failed to load as a catch', () => {
    const result = classifyWrongRun(
      report([file(double.checkFile, [], 'Error: Cannot find module #ex/01-double/double.ts')]),
      [double],
      FIXTURE_ROOT,
    );
    expect(result.caught).toBe(0);
    expect(result.violations[0]).toMatchObject({ kind: 'authoring' });
    expect(result.violations[0]!.message).toContain(
      'failed to load with the wrong variant session01-fixture/wrong/01-double',
    );
  });

  it('ignores exercises without a wrong variant', () => {
    const noWrong = { ...double, wrongDir: null };
    expect(classifyWrongRun(report([]), [noWrong], FIXTURE_ROOT)).toEqual({
      caught: 0,
      violations: [],
    });
  });
});

describe('runProof on the fixture workbook (real vitest runs)', { timeout: SLOW_MS }, () => {
  it('proves the sound exercise and reports exactly the planted flaws', async () => {
    const result = await runProof(workbook);
    expect(result.provenChecks).toBe(1);
    expect(result.caughtVariants).toBe(1);
    expect(result.violations.map((v) => [v.where, v.kind])).toEqual([
      ['01.1', 'authoring'],
      ['01.1', 'authoring'],
      ['01.2', 'authoring'],
      ['01.2', 'authoring'],
      ['01.2', 'starter'],
      ['01.2', 'wrong'],
      ['01.2', 'mistake'],
      ['01.2', 'mistake'],
    ]);
    expect(result.violations[4]!.message).toContain(
      '"is a function" PASSES on the untouched starter',
    );
    // Wave 1 ran 01-double/squares (caught) with 02-shout/lowercase (missed); wave 2 no-bang.
    expect(result.violations[6]!.message).toContain(
      'the mistake session01-fixture/mistakes/02-shout/lowercase passes every test of session01-fixture/test/exercises/02-shout.test.ts',
    );
    expect(result.violations[7]!.message).toContain(
      'the mistake session01-fixture/mistakes/02-shout/no-bang is caught, but no failing test of session01-fixture/test/exercises/02-shout.test.ts says "🚨 a shout ends with "!""',
    );
    expect(result.violations[7]!.message).toContain(
      '"shouts hi": AssertionError: 🚨 shout("hi") must be "HI!"',
    );
    expect(result.catalogue).toEqual([
      { id: '01.1', total: 2, caught: 2 },
      { id: '01.2', total: 3, caught: 0 },
    ]);
    // A catalogue short of 5 and a WRONG.md without its 🚨 line fail the proof.
    expect(result.violations.slice(0, 4).map((v) => `${v.where}: ${v.message}`)).toEqual([
      '01.1: 2 of the 5 mistakes its catalogue needs (add folders under mistakes/01-double/, each with the mistaken file and a MISTAKE.md ending in its 🚨 line)',
      '01.1: wrong/01-double/WRONG.md has no last "🚨 <message>" line, so the proof cannot tell whether the check names the mistake',
      '01.2: 3 of the 5 mistakes its catalogue needs (add folders under mistakes/02-shout/, each with the mistaken file and a MISTAKE.md ending in its 🚨 line)',
      '01.2: wrong/02-shout/WRONG.md has no last "🚨 <message>" line, so the proof cannot tell whether the check names the mistake',
    ]);
    expect(proofLine(result)).toBe(
      'Proof: 1 check fails on its starter, 1 wrong variant caught, 1 of 3 catalogue mistakes caught, 8 problems',
    );
  });
});

describe('gate summary', () => {
  it('prints "Tests: N passed, N failed" and counts files that did not load as failures', () => {
    const r = report([
      file(path.join(FIXTURE_ROOT, 'a.test.ts'), [test('x', 'passed'), test('y', 'passed')]),
      file(path.join(FIXTURE_ROOT, 'b.test.ts'), [], 'Error: boom'),
    ]);
    expect(suiteCounts(r)).toEqual({ passed: 2, failed: 1 });
    expect(summaryLine(suiteCounts(r))).toBe('Tests: 2 passed, 1 failed');
    expect(summaryLine({ passed: 412, failed: 0 })).toMatch(/^(\w+: )?\d+ passed, \d+ failed$/);
    expect(suiteCounts(null)).toEqual({ passed: 0, failed: 1 });
  });
});

describe('gate --skip', () => {
  it('reads the steps to skip and rejects unknown ones', () => {
    expect([...parseSkip(['--skip', 'lint,typecheck'])]).toEqual(['lint', 'typecheck']);
    expect([...parseSkip(['--skip=proof'])]).toEqual(['proof']);
    expect(parseSkip([]).size).toBe(0);
    expect(
      [...leftOutSteps(['--runtime-only'])],
      'the runtime-only run leaves out the proof',
    ).toEqual(['proof']);
    expect(leftOutSteps(['--skip', 'lint']).size, 'nothing is left out by default').toBe(0);
    expect(() => parseSkip(['--skip', 'lunch'])).toThrow(
      'Expected --skip to name steps among lint, typecheck, tests, proof, got `lunch`',
    );
  });
});
