import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CheckOutcome, recordOutcomes } from '../src/check.ts';
import { discoverWorkbook, type Workbook } from '../src/exercises.ts';
import {
  type ClassStatus,
  classReport,
  fingerprint,
  formatClassLine,
  loadProgress,
  saveProgress,
  studentName,
  updateExercise,
} from '../src/progress.ts';
import { runCli } from '../src/workbook.ts';
import { FIXTURE_ROOT, git, gitCopyOfFixture, printer, SLOW_MS, tempDir } from './helpers.ts';

describe('progress file', { timeout: SLOW_MS }, () => {
  it('starts empty and round-trips', () => {
    using tmp = tempDir();
    const file = path.join(tmp.dir, '.workbook', 'progress.json');
    expect(loadProgress(file)).toEqual({ version: 1, exercises: {} });
    saveProgress(file, { version: 1, exercises: { '01.1': { hintsShown: 2 } } });
    expect(loadProgress(file).exercises['01.1']).toEqual({ hintsShown: 2 });
    expect(readdirSync(path.dirname(file))).toEqual(['progress.json']); // no temp file left
  });

  it('sets a corrupt file aside with a warning instead of crashing', () => {
    using tmp = tempDir();
    const file = path.join(tmp.dir, 'progress.json');
    writeFileSync(file, '{"version": 1, "exerc');
    const warnings: string[] = [];
    expect(loadProgress(file, (w) => warnings.push(w))).toEqual({ version: 1, exercises: {} });
    expect(warnings[0]).toMatch(/could not be read .* moved to .*progress\.json\.corrupt-\d+/);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(tmp.dir).some((name) => name.startsWith('progress.json.corrupt-'))).toBe(
      true,
    );
  });

  it('updates one exercise and keeps the rest', () => {
    using tmp = tempDir();
    const file = path.join(tmp.dir, 'progress.json');
    updateExercise(file, '01.1', () => ({ hintsShown: 1 }));
    updateExercise(file, '01.2', () => ({ status: 'failing' }));
    updateExercise(file, '01.1', (p) => ({ ...p, status: 'passed' }));
    expect(loadProgress(file).exercises).toEqual({
      '01.1': { hintsShown: 1, status: 'passed' },
      '01.2': { status: 'failing' },
    });
  });

  it('records check outcomes without losing the hints shown', () => {
    using copy = gitCopyOfFixture();
    const [double] = discoverWorkbook(copy.root).exercises;
    const file = path.join(copy.root, '.workbook', 'progress.json');
    updateExercise(file, '01.1', () => ({ hintsShown: 2 }));
    const outcome: CheckOutcome = {
      exercise: double!,
      status: 'failing',
      passed: 1,
      total: 2,
      failures: [],
      loadError: null,
    };
    recordOutcomes(file, [outcome], () => {}, new Date('2030-01-02T03:04:05Z'));
    expect(JSON.parse(readFileSync(file, 'utf8')).exercises['01.1']).toEqual({
      hintsShown: 2,
      status: 'failing',
      checkedAt: '2030-01-02T03:04:05.000Z',
      passed: 1,
      total: 2,
      fingerprint: fingerprint(double!),
    });
  });

  it('fingerprints change when a student file changes', () => {
    using copy = gitCopyOfFixture();
    const [double] = discoverWorkbook(copy.root).exercises;
    const before = fingerprint(double!);
    expect(fingerprint(double!)).toBe(before);
    writeFileSync(double!.starterFiles[0]!, 'export const double = (n: number) => n * 2;\n');
    expect(fingerprint(double!)).not.toBe(before);
  });
});

describe('class mode: one line per student (pnpm workbook progress --class / --json)', () => {
  const fixture = discoverWorkbook(FIXTURE_ROOT);
  const [double, shout] = fixture.exercises;
  // A second session, made from the fixture's exercises, so the report must pick a session.
  const later = { ...double!, id: '02.1', session: '02', number: 1 };
  const workbook: Workbook = {
    root: FIXTURE_ROOT,
    sessions: [
      fixture.sessions[0]!,
      { ...fixture.sessions[0]!, number: '02', title: 'Later', exercises: [later] },
    ],
    exercises: [double!, shout!, later],
  };
  const status = (state: ClassStatus['state'], stale = false): ClassStatus => ({
    state,
    stale,
  });
  const now = new Date('2030-01-02T03:04:05Z');

  it('a student who has not started is at the first session, next up its first exercise', () => {
    const statuses = new Map(workbook.exercises.map((ex) => [ex.id, status('not-started')]));
    const report = classReport(workbook, statuses, 'Ana García', { now });
    expect(report).toEqual({
      name: 'Ana García',
      session: '01',
      sessionTitle: 'Fixture basics',
      sessionPassed: 0,
      sessionTotal: 2,
      passed: [],
      failing: [],
      started: [],
      stale: [],
      overall: { passed: 0, total: 3 },
      next: '01.1',
      warnings: [],
      at: '2030-01-02T03:04:05.000Z',
    });
    expect(formatClassLine(report)).toBe(
      'Ana García · session 01 · 0/2 passed · 0/3 overall · next 01.1',
    );
  });

  it('reports the last session worked in, even with an earlier exercise left behind', () => {
    const statuses = new Map([
      ['01.1', status('passed', true)],
      ['01.2', status('failing')],
      ['02.1', status('passed')],
    ]);
    const report = classReport(workbook, statuses, 'Kim', { now });
    expect([report.session, report.sessionPassed, report.sessionTotal]).toEqual(['02', 1, 1]);
    expect([report.passed, report.failing, report.stale, report.next]).toEqual([
      ['01.1', '02.1'],
      ['01.2'],
      ['01.1'],
      '01.2',
    ]);
    expect(formatClassLine(report)).toBe(
      'Kim · session 02 · 1/1 passed (02.1) · 2/3 overall · next 01.2',
    );
  });

  it('says when everything passes, and when the progress file could not be read', () => {
    const statuses = new Map(workbook.exercises.map((ex) => [ex.id, status('passed')]));
    const report = classReport(workbook, statuses, 'Lee', { now, warnings: ['unreadable'] });
    expect(formatClassLine(report)).toBe(
      'Lee · session 02 · 1/1 passed (02.1) · 3/3 overall · all done · progress file unreadable: run pnpm check again',
    );
  });

  it('takes the name from git config user.name, else $USER, else the login name', () => {
    using tmp = tempDir();
    const noGlobal = {
      PATH: process.env.PATH,
      HOME: tmp.dir,
      GIT_CONFIG_GLOBAL: path.join(tmp.dir, 'none'),
      GIT_CONFIG_NOSYSTEM: '1',
    };
    git(tmp.dir, 'init', '-q');
    expect(studentName(tmp.dir, { ...noGlobal, USER: 'kim' })).toBe('kim');
    git(tmp.dir, 'config', 'user.name', 'Ana García');
    expect(studentName(tmp.dir, { ...noGlobal, USER: 'kim' })).toBe('Ana García');
    using outside = tempDir();
    expect(studentName(outside.dir, { ...noGlobal, USERNAME: 'lee' })).toBe('lee');
    expect(studentName(outside.dir, noGlobal)).not.toBe('');
  });

  it('the CLI prints the line, or one JSON line, from the recorded checks', {
    timeout: SLOW_MS,
  }, async () => {
    using copy = gitCopyOfFixture();
    git(copy.root, 'config', 'user.name', 'Ana García');
    const progressFile = path.join(copy.root, '.workbook', 'progress.json');
    const fixtureCopy = discoverWorkbook(copy.root);
    saveProgress(progressFile, {
      version: 1,
      exercises: {
        '01.1': { status: 'passed', fingerprint: fingerprint(fixtureCopy.exercises[0]!) },
      },
    });
    const out = printer();
    const ctx = { root: copy.root, cwd: copy.root, print: out.print, progressFile };
    expect(await runCli(['progress', '--class'], ctx)).toBe(0);
    expect(out.lines).toEqual([
      'Ana García · session 01 · 1/2 passed (01.1) · 1/2 overall · next 01.2',
    ]);
    const json = printer();
    expect(await runCli(['progress', '--json'], { ...ctx, print: json.print })).toBe(0);
    expect(json.lines).toHaveLength(1);
    expect(JSON.parse(json.lines[0]!)).toMatchObject({
      name: 'Ana García',
      session: '01',
      passed: ['01.1'],
      overall: { passed: 1, total: 2 },
      next: '01.2',
    });
  });
});
