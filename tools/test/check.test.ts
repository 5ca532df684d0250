import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  brokenFileOf,
  formatOutcomes,
  outcomeOf,
  plainWords,
  watchFolders,
  withTypeErrors,
} from '../src/check.ts';
import { discoverWorkbook } from '../src/exercises.ts';
import { FORMAT_HINT } from '../src/gate.ts';
import { loadProgress } from '../src/progress.ts';
import type { FileResult } from '../src/vitest-run.ts';
import { runCli } from '../src/workbook.ts';
import { FIXTURE_ROOT, printer, SLOW_MS, tempDir } from './helpers.ts';

const workbook = discoverWorkbook(FIXTURE_ROOT);
const double = workbook.exercises[0]!;

const todo = 'Error: 🐨 TODO (01.1): return twice n\n    at double (double.ts:3:9)';
const assertion =
  'AssertionError: 🚨 double(3) must be 6: expected 5 to be 6 // Object.is equality\n    at check.test.ts:9:5';

function fileWith(...statuses: [string, 'passed' | 'failed', string?][]): FileResult {
  return {
    name: double.checkFile,
    status: statuses.some(([, s]) => s === 'failed') ? 'failed' : 'passed',
    message: '',
    assertionResults: statuses.map(([name, status, message]) => ({
      fullName: name,
      title: name,
      status,
      failureMessages: message ? [message] : [],
    })),
  };
}

const plain = (lines: string[]) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips colour codes
  lines.join('\n').replace(/\u001b\[[0-9;]*m/g, '');

describe('outcomeOf', () => {
  it('reads passed, not started (only TODO errors) and failing', () => {
    expect(outcomeOf(double, fileWith(['a', 'passed'], ['b', 'passed'])).status).toBe('passed');
    expect(outcomeOf(double, fileWith(['a', 'failed', todo], ['b', 'failed', todo])).status).toBe(
      'not-started',
    );
    const failing = outcomeOf(
      double,
      fileWith(['doubles 2', 'passed'], ['doubles 3', 'failed', assertion]),
    );
    expect(failing).toMatchObject({ status: 'failing', passed: 1, total: 2 });
    expect(failing.failures).toEqual([
      {
        name: 'doubles 3',
        message: '🚨 double(3) must be 6: expected 5 to be 6 // Object.is equality',
        todo: false,
      },
    ]);
  });

  it('calls an untouched starter "not started" even when some failures are not TODO errors', () => {
    const mixed = fileWith(['a', 'failed', todo], ['b', 'failed', assertion]);
    expect(outcomeOf(double, mixed, true).status).toBe('not-started');
    expect(outcomeOf(double, mixed, null).status).toBe('failing');
    // Edited files that still throw TODO everywhere: the student has begun, so it is failing.
    expect(outcomeOf(double, fileWith(['a', 'failed', todo]), false).status).toBe('failing');
  });

  it('treats a check that cannot load the student code as failing, with the reason', () => {
    const file: FileResult = {
      name: double.checkFile,
      status: 'failed',
      message: 'Transform failed with 1 error:\ndouble.ts:2:10: ERROR: Expected ";" but found "n"',
      assertionResults: [],
    };
    const outcome = outcomeOf(double, file);
    expect(outcome.status).toBe('failing');
    expect(outcome.loadError).toContain('Expected ";" but found "n"');
    expect(outcomeOf(double, undefined).loadError).toContain('did not run');
  });
});

describe('messages in plain words', () => {
  it('explains a test timeout and an unprintable error, and leaves 🚨 messages alone', () => {
    expect(
      plainWords('Error: Test timed out in 30000ms.\nIf this is a long-running test…'),
    ).toMatch(
      /^🚨 this check did not finish within 30 s: something your code awaits never happens/,
    );
    expect(plainWords('Error: Hook timed out in 10000ms.')).toContain(
      '🚨 the set-up or clean-up of this check did not finish within 10 s',
    );
    expect(plainWords('STACK_TRACE_ERROR')).toContain('STACK_TRACE_ERROR');
    expect(plainWords('STACK_TRACE_ERROR')).toContain('pnpm exec vitest run <check file>');
    expect(plainWords('🚨 a lease must expire: Test timed out in 5000ms')).toBe(
      '🚨 a lease must expire: Test timed out in 5000ms',
    );
  });

  it('names the student file a load error points at, and fails a pass with type errors', () => {
    const message = `[PARSE_ERROR] Unexpected token\n ╭─[ session01-fixture/exercises/01-double/double.ts:4:2 ]`;
    expect(brokenFileOf(double, message)).toBe(double.starterFiles[0]);
    expect(brokenFileOf(double, 'Cannot find package vitest')).toBeNull();
    const passed = outcomeOf(double, fileWith(['a', 'passed']));
    const typeError = {
      file: double.starterFiles[0]!,
      line: 2,
      column: 3,
      code: 'TS2322',
      message: 'x',
    };
    expect(withTypeErrors(passed, [typeError]).status).toBe('failing');
    expect(withTypeErrors(passed, []).status).toBe('passed');
  });

  it('the gate names pnpm format when lint or formatting fails', () => {
    expect(FORMAT_HINT).toContain('run `pnpm format`');
  });
});

describe('formatOutcomes', () => {
  it('shows a TODO starter as "not started yet" with the file to open', () => {
    const text = plain(
      formatOutcomes(
        [outcomeOf(double, fileWith(['a', 'failed', todo]))],
        FIXTURE_ROOT,
        'exercise',
      ),
    );
    expect(text).toContain(
      '⏳ 01.1 Double a number — not started yet: open session01-fixture/exercises/01-double/double.ts',
    );
  });

  it('shows the failing test, its 🚨 message, the file to edit and the hint command', () => {
    const outcome = outcomeOf(
      double,
      fileWith(['doubles 2', 'passed'], ['doubles 3', 'failed', assertion]),
    );
    const text = plain(
      formatOutcomes([outcome], path.join(FIXTURE_ROOT, 'session01-fixture'), 'exercise'),
    );
    expect(text).toContain('❌ 01.1 Double a number (1/2 checks pass)');
    expect(text).toContain('✗ doubles 3');
    expect(text).toContain('🚨 double(3) must be 6: expected 5 to be 6');
    expect(text).toContain('✎ edit exercises/01-double/double.ts');
    expect(text).toContain('pnpm hint 01.1');
    expect(text).not.toContain('at check.test.ts');
  });

  it('folds the checks that only hit a TODO into one line', () => {
    const outcome = outcomeOf(
      double,
      fileWith(['a', 'failed', todo], ['b', 'failed', todo], ['c', 'failed', assertion]),
      false,
    );
    const text = plain(formatOutcomes([outcome], FIXTURE_ROOT, 'exercise'));
    expect(text).toContain('✗ c');
    expect(text).toContain('⏳ 2 checks still hit a TODO: 🐨 TODO (01.1): return twice n');
    expect(text).not.toContain('✗ a');
  });
});

describe('pnpm check (real vitest runs on the fixture workbook)', { timeout: SLOW_MS }, () => {
  it('reports every exercise in learner terms and records progress', async () => {
    using tmp = tempDir();
    const progressFile = path.join(tmp.dir, 'progress.json');
    const out = printer();
    const code = await runCli(['check'], {
      root: FIXTURE_ROOT,
      cwd: FIXTURE_ROOT,
      print: out.print,
      progressFile,
    });
    expect(code).toBe(1);
    const text = out.text();
    expect(text).toContain('⏳ 01.1 Double a number — not started yet');
    expect(text).toContain('❌ 01.2 Shout a word (1/2 checks pass)');
    expect(text).toContain(
      '⏳ 1 check still hits a TODO: 🐨 TODO (01.2): return the word in capitals with a !',
    );
    expect(text).toContain('0/2 exercise(s) pass. Next up: 01.1 Double a number.');
    const recorded = loadProgress(progressFile).exercises;
    expect(recorded['01.1']).toMatchObject({ status: 'not-started', passed: 0, total: 2 });
    expect(recorded['01.2']).toMatchObject({ status: 'failing', passed: 1, total: 2 });
  });

  it('pnpm workbook verify checks every exercise of every session, tests and types', async () => {
    using tmp = tempDir();
    const out = printer();
    const code = await runCli(['verify'], {
      root: FIXTURE_ROOT,
      cwd: path.join(FIXTURE_ROOT, 'session01-fixture', 'exercises'),
      print: out.print,
      progressFile: path.join(tmp.dir, 'progress.json'),
    });
    expect(code).toBe(1);
    expect(out.text()).toContain(
      'Checking all exercises (2 exercise(s)) against your code: tests and types…',
    );
    expect(out.text()).toContain('0/2 exercise(s) pass.');
  });

  it('runs the reference with --solution and records nothing', async () => {
    using tmp = tempDir();
    const progressFile = path.join(tmp.dir, 'progress.json');
    const out = printer();
    const cwd = path.join(FIXTURE_ROOT, 'session01-fixture');
    const code = await runCli(['check', '1', '--solution'], {
      root: FIXTURE_ROOT,
      cwd,
      print: out.print,
      progressFile,
    });
    expect(out.text()).toContain('against the REFERENCE solutions');
    expect(out.text()).toContain('✅ 01.1 Double a number (2/2 checks pass)');
    expect(code).toBe(0);
    expect(loadProgress(progressFile).exercises).toEqual({});
  });
});

describe('watchFolders', () => {
  it('calls back once per burst of changes', async () => {
    using tmp = tempDir();
    const calls: string[] = [];
    const stop = watchFolders([tmp.dir], (file) => calls.push(file), 100);
    try {
      for (let i = 0; i < 5; i++) writeFileSync(path.join(tmp.dir, 'a.ts'), `// ${i}\n`);
      const deadline = Date.now() + 5_000;
      while (calls.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      expect(calls).toEqual([path.join(tmp.dir, 'a.ts')]);
    } finally {
      stop();
    }
  });
});

describe('pnpm workbook help', () => {
  it('starts every description in the same column', async () => {
    const out = printer();
    await runCli(['help'], { root: FIXTURE_ROOT, cwd: FIXTURE_ROOT, print: out.print });
    const rows = out
      .text()
      .split('\n')
      .filter((line) => /^ {2}pnpm /.test(line));
    expect(rows.length).toBeGreaterThan(8);
    const column = (line: string) => /^ {2}pnpm \S+(?: [^ ]+)*? {2,}/.exec(line)![0].length;
    expect(new Set(rows.map(column))).toEqual(new Set([column(rows[0]!)]));
  });
});
