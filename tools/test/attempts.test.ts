import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catchUp, resetExercise } from '../src/attempts.ts';
import { recordOutcomes } from '../src/check.ts';
import { discoverWorkbook } from '../src/exercises.ts';
import { gitBase } from '../src/pristine.ts';
import { loadProgress, progressPath, saveProgress } from '../src/progress.ts';
import { workbookStatus } from '../src/status.ts';
import { runCli } from '../src/workbook.ts';
import { FIXTURE_ROOT, git, gitCopyOfFixture, printer, SLOW_MS } from './helpers.ts';

const STARTER = 'session01-fixture/exercises/01-double/double.ts';
const pristine = readFileSync(path.join(FIXTURE_ROOT, STARTER), 'utf8');
const reference = readFileSync(
  path.join(FIXTURE_ROOT, 'session01-fixture/solutions/01-double/double.ts'),
  'utf8',
);
const attempt = 'export function double(n: number): number {\n  return n + n + 0;\n}\n';

describe('reset', { timeout: SLOW_MS }, () => {
  it('backs up the attempt, restores the starter from HEAD and says so', () => {
    using copy = gitCopyOfFixture();
    const file = path.join(copy.root, STARTER);
    writeFileSync(file, attempt);
    writeFileSync(path.join(path.dirname(file), 'notes.ts'), '// mine\n');
    const [double] = discoverWorkbook(copy.root).exercises;
    const result = resetExercise(copy.root, double!, new Date('2030-01-02T03:04:05.678Z'));
    expect(readFileSync(file, 'utf8')).toBe(pristine);
    expect(result.base.description).toMatch(
      /^your last commit, HEAD \([0-9a-f]{7}\); no upstream branch is set$/,
    );
    expect(result.backup).toBe(
      path.join(copy.root, '.workbook/backups/01.1/2030-01-02T03-04-05-678Z'),
    );
    expect(readFileSync(path.join(result.backup!, 'double.ts'), 'utf8')).toBe(attempt);
    expect(readFileSync(path.join(result.backup!, 'notes.ts'), 'utf8')).toBe('// mine\n');
    expect(result.extra).toEqual([path.join(path.dirname(file), 'notes.ts')]);
    expect(result.restored.map((f) => path.basename(f)).sort()).toEqual([
      'HINTS.md',
      'README.md',
      'double.ts',
    ]);
  });

  it('restores what was cloned, not the student’s own commits, when there is an upstream', () => {
    using copy = gitCopyOfFixture();
    const clone = mkdtempSync(path.join(tmpdir(), 'workbook-clone-'));
    try {
      git(tmpdir(), 'clone', '-q', copy.root, clone);
      const file = path.join(clone, STARTER);
      writeFileSync(file, attempt);
      git(clone, 'commit', '-q', '-am', 'my attempt');
      writeFileSync(file, `${attempt}// more\n`);
      const [double] = discoverWorkbook(clone).exercises;
      const result = resetExercise(clone, double!);
      expect(result.base.description).toMatch(
        /^the merge-base of HEAD and origin\/main \([0-9a-f]{7}\)$/,
      );
      expect(readFileSync(file, 'utf8')).toBe(pristine);
      expect(readFileSync(path.join(result.backup!, 'double.ts'), 'utf8')).toBe(
        `${attempt}// more\n`,
      );
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('fails with a clear message outside a git clone', () => {
    const plain = mkdtempSync(path.join(tmpdir(), 'workbook-nogit-'));
    try {
      cpSync(FIXTURE_ROOT, plain, { recursive: true });
      expect(() => gitBase(plain)).toThrow(
        /is not a git clone with commits .*Clone the course with git/s,
      );
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });

  it('through the CLI: prints what it restored from and forgets the old result', async () => {
    using copy = gitCopyOfFixture();
    const progressFile = path.join(copy.root, '.workbook/progress.json');
    saveProgress(progressFile, {
      version: 1,
      exercises: { '01.1': { status: 'failing', hintsShown: 1 } },
    });
    writeFileSync(path.join(copy.root, STARTER), attempt);
    const out = printer();
    const code = await runCli(['reset', 'double'], {
      root: copy.root,
      cwd: copy.root,
      print: out.print,
      progressFile,
    });
    expect(code).toBe(0);
    expect(out.text()).toMatch(/Your attempt is saved in \.workbook\/backups\/01\.1\/\S+/);
    expect(out.text()).toContain('01.1 restored from your last commit, HEAD');
    expect(out.text()).toContain(STARTER);
    expect(loadProgress(progressFile).exercises['01.1']).toEqual({ hintsShown: 1 });
  });
});

describe('catch-up', { timeout: SLOW_MS }, () => {
  it('backs up, then copies the reference into the exercise folder', async () => {
    using copy = gitCopyOfFixture();
    const file = path.join(copy.root, STARTER);
    writeFileSync(file, attempt);
    const [double] = discoverWorkbook(copy.root).exercises;
    const result = catchUp(copy.root, double!);
    expect(readFileSync(file, 'utf8')).toBe(reference);
    expect(result.copied).toEqual([file]);
    expect(readFileSync(path.join(result.backup!, 'double.ts'), 'utf8')).toBe(attempt);
    const out = printer();
    expect(
      await runCli(['catch-up', '01.1'], { root: copy.root, cwd: copy.root, print: out.print }),
    ).toBe(0);
    expect(out.text()).toContain('01.1 now holds the reference solution');
    expect(readdirSync(path.join(copy.root, '.workbook/backups/01.1'))).toHaveLength(2);
  });

  it('progress tells a caught-up exercise from a solved one, until the student edits it', async () => {
    using copy = gitCopyOfFixture();
    const ctx = (out: ReturnType<typeof printer>) => ({
      root: copy.root,
      cwd: copy.root,
      print: out.print,
    });
    // What a passing `pnpm check 01.1` records (the copy cannot run vitest: no node_modules).
    const passedCheck = () => {
      const double = discoverWorkbook(copy.root).exercises[0]!;
      const outcome = { exercise: double, status: 'passed' as const, passed: 2, total: 2 };
      recordOutcomes(progressPath(copy.root), [{ ...outcome, failures: [], loadError: null }]);
    };
    await runCli(['catch-up', '01.1'], ctx(printer()));
    passedCheck();
    const list = printer();
    await runCli(['list'], ctx(list));
    expect(list.text()).toMatch(/⏩ 01\.1/);
    expect(list.text()).toContain('0 solved · 1 caught up');
    const overview = printer();
    await runCli(['status'], ctx(overview));
    expect(overview.text()).toContain('caught up (the reference, copied by catch-up; not solved)');
    expect(overview.text()).toContain('Session 01 · Fixture basics (1 caught up)');
    // The student's own edit makes it theirs: checked again, it counts as solved.
    writeFileSync(path.join(copy.root, STARTER), `${reference}// mine\n`);
    passedCheck();
    const after = printer();
    await runCli(['list'], ctx(after));
    expect(after.text()).toContain('1 solved · 0 caught up');
  });

  it('refuses when the exercise has no reference files', () => {
    using copy = gitCopyOfFixture();
    rmSync(path.join(copy.root, 'session01-fixture/solutions/02-shout'), { recursive: true });
    const shout = discoverWorkbook(copy.root).exercises[1]!;
    expect(() => catchUp(copy.root, shout)).toThrow('Exercise 01.2 has no reference files');
    expect(existsSync(path.join(copy.root, '.workbook'))).toBe(false);
  });
});

describe('status', { timeout: SLOW_MS }, () => {
  it('tells not started, started, failing and passed apart', () => {
    using copy = gitCopyOfFixture();
    const workbook = discoverWorkbook(copy.root);
    const state = () => {
      const statuses = workbookStatus(workbook, loadProgress(path.join(copy.root, 'p.json')));
      return Object.fromEntries(
        [...statuses].map(([id, s]) => [id, s.state + (s.stale ? '*' : '')]),
      );
    };
    expect(state()).toEqual({ '01.1': 'not-started', '01.2': 'not-started' });
    writeFileSync(path.join(copy.root, STARTER), attempt);
    expect(state()).toEqual({ '01.1': 'started', '01.2': 'not-started' });
    saveProgress(path.join(copy.root, 'p.json'), {
      version: 1,
      exercises: {
        '01.1': { status: 'passed', fingerprint: 'old' },
        '01.2': { status: 'failing' },
      },
    });
    expect(state()).toEqual({ '01.1': 'passed*', '01.2': 'failing' });
  });
});

describe('a course inside a bigger repository', { timeout: SLOW_MS }, () => {
  it('resets and detects edits when the course root is a subfolder of the git repository', () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'workbook-nested-'));
    try {
      const root = path.join(repo, 'courses', 'images');
      cpSync(FIXTURE_ROOT, root, { recursive: true });
      git(repo, 'init', '-q', '-b', 'main');
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'course');
      const workbook = discoverWorkbook(root);
      const file = path.join(root, STARTER);
      writeFileSync(file, attempt);
      const states = workbookStatus(workbook, loadProgress(path.join(repo, 'p.json')));
      expect(states.get('01.1')?.state).toBe('started');
      expect(states.get('01.2')?.state).toBe('not-started');
      resetExercise(root, workbook.exercises[0]!);
      expect(readFileSync(file, 'utf8')).toBe(pristine);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
