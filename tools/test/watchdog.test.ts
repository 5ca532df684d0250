import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../src/check.ts';
import { discoverWorkbook } from '../src/exercises.ts';
import { fileResult, runVitest } from '../src/vitest-run.ts';
import { readHeartbeats, stallMessage, stallTracker } from '../src/watchdog.ts';
import { runCli } from '../src/workbook.ts';
import { printer, SLOW_MS, tempDir } from './helpers.ts';

const STUDENT_ROOT = fileURLToPath(new URL('./fixtures/student', import.meta.url));
const SPIN_CHECK = path.join(STUDENT_ROOT, 'session01-student/test/exercises/01-spin.test.ts');

describe('stallTracker', () => {
  const beat = (pid: number, n: number, test: string | null = 'a test') => ({
    pid,
    beat: n,
    file: '/x.test.ts',
    test,
  });

  it('fires for a live worker silent for the bound, and forgets finished workers', () => {
    const alive = new Set([1, 2]);
    const track = stallTracker(1000, (pid) => alive.has(pid));
    expect(track([beat(1, 1), beat(2, 1)], 0)).toBeNull();
    expect(track([beat(1, 2), beat(2, 1)], 999)).toBeNull();
    alive.delete(2); // worker 2 finished its file and exited: silence is not a hang
    expect(track([beat(1, 3), beat(2, 1)], 1500)).toBeNull();
    expect(track([beat(1, 3), beat(2, 1)], 2499)).toBeNull();
    expect(track([beat(1, 3), beat(2, 1)], 2500)).toEqual({
      pid: 1,
      file: '/x.test.ts',
      test: 'a test',
      silentMs: 1000,
    });
  });

  it('reads heartbeat files and skips half-written ones', () => {
    using tmp = tempDir();
    mkdirSync(path.join(tmp.dir, 'hb'));
    writeFileSync(path.join(tmp.dir, 'hb/1.json'), JSON.stringify(beat(1, 4)));
    writeFileSync(path.join(tmp.dir, 'hb/2.json'), '{"pid": 2, "be');
    expect(readHeartbeats(path.join(tmp.dir, 'hb'))).toEqual([beat(1, 4)]);
    expect(readHeartbeats(path.join(tmp.dir, 'missing'))).toEqual([]);
  });

  it('says in plain words what happened and where', () => {
    const text = stallMessage({ pid: 1, file: null, test: 'keeps 2 in flight', silentMs: 20_400 });
    expect(text).toContain(
      'your code did not give control back (an infinite loop or a blocking call) while running "keeps 2 in flight": nothing ran for 20 s',
    );
    expect(stallMessage({ pid: 1, file: null, test: null, silentMs: 1 })).toContain(
      'while the check loaded your files',
    );
  });
});

describe('the check watchdog (real vitest runs on a busy-looping fixture)', {
  timeout: SLOW_MS,
}, () => {
  it('ends a run whose test worker never gives control back and names the test', async () => {
    const started = performance.now();
    const run = await runVitest({
      root: STUDENT_ROOT,
      target: 'exercise',
      files: [SPIN_CHECK],
      stallMs: 3000,
    });
    expect(run.stall, run.output).toMatchObject({
      file: SPIN_CHECK,
      test: 'keeps at most 2 tasks in flight',
    });
    expect(run.report).toBeNull();
    // The bound: the stall limit plus start-up, far below the minutes a hang would take.
    expect(performance.now() - started).toBeLessThan(SLOW_MS / 2);
  });

  it('pnpm check reports the hang in plain words, still reports the others, and their type errors', async () => {
    using tmp = tempDir();
    const out = printer();
    const code = await runCli(['check'], {
      root: STUDENT_ROOT,
      cwd: STUDENT_ROOT,
      print: out.print,
      progressFile: path.join(tmp.dir, 'progress.json'),
      stallMs: 3000,
    });
    expect(code).toBe(1);
    const text = out.text();
    expect(text).toContain(
      '❌ 01.1 Limit the fetches in flight (stopped: your code never gave control back)',
    );
    expect(text).toContain(
      '🚨 your code did not give control back (an infinite loop or a blocking call) while running "keeps at most 2 tasks in flight"',
    );
    expect(text).toMatch(/01\.2 A fine exercise/);
    // 01.3 passes its test but does not type-check: not a pass.
    expect(text).toContain('❌ 01.3 Halve a number (1/1 checks pass, 1 type error)');
    expect(text).toContain(
      "session01-student/exercises/03-typed/half.ts:3:9 TS2322 Type 'string' is not assignable to type 'number'.",
    );
    // 01.4 has a syntax error: the student reads which file does not load, and why.
    expect(text).toContain('❌ 01.4 Triple a number (the check could not run)');
    expect(text).toContain(
      '✗ your file session01-student/exercises/04-broken/triple.ts does not load:',
    );
    expect(text).toContain('[PARSE_ERROR] Unexpected token');
    expect(text).not.toContain('0/0 checks pass');
    expect(text).toContain('0/6 exercise(s) pass.');
    expect(discoverWorkbook(STUDENT_ROOT).exercises.map((ex) => ex.id)).toEqual([
      '01.1',
      '01.2',
      '01.3',
      '01.4',
      '01.5',
      '01.6',
    ]);
  });

  it("shows the student's long value whole in a check's message", async () => {
    const check = path.join(STUDENT_ROOT, 'session01-student/test/exercises/05-long.test.ts');
    const run = await runVitest({ root: STUDENT_ROOT, target: 'exercise', files: [check] });
    const long = discoverWorkbook(STUDENT_ROOT).exercises.find((ex) => ex.id === '01.5')!;
    const outcome = outcomeOf(long, run.report ? fileResult(run.report, check) : undefined, false);
    expect(outcome.failures[0]?.message, run.output).toContain(
      "expected 'Hello, Ada! Welcome to the distributed image processing course, session one.' to be 'Hello, Ada! Welcome to the Distributed Image Processing course, session one.'",
    );
  });

  it('explains a timeout in plain words and skips the rest of the check instead of waiting', async () => {
    const check = path.join(STUDENT_ROOT, 'session01-student/test/exercises/06-stuck.test.ts');
    // As pnpm check runs it (the watchdog's heartbeats turn fail-fast on).
    const run = await runVitest({
      root: STUDENT_ROOT,
      target: 'exercise',
      files: [check],
      stallMs: 60_000,
    });
    const stuck = discoverWorkbook(STUDENT_ROOT).exercises.find((ex) => ex.id === '01.6')!;
    const outcome = outcomeOf(stuck, run.report ? fileResult(run.report, check) : undefined, false);
    expect(
      outcome.failures.map((f) => f.message.split(':')[0]),
      run.output,
    ).toEqual(['🚨 this check did not finish within 2 s', 'not run', 'not run']);
    expect(outcome.failures[0]!.message).toContain('Test timed out in 2000ms');
    expect(outcome.failures[1]!.message).toContain('an earlier check of this exercise timed out');
  });

  it('leaves the reference alone: the watchdog does not fire on code that gives control back', async () => {
    const run = await runVitest({
      root: STUDENT_ROOT,
      target: 'solution',
      files: [SPIN_CHECK],
      stallMs: 3000,
    });
    expect(run.stall).toBeUndefined();
    expect(run.report?.numPassedTests, run.output).toBe(2);
  });
});
