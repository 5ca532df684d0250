import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CheckOutcome, recordOutcomes } from '../src/check.ts';
import { discoverWorkbook } from '../src/exercises.ts';
import { fingerprint, loadProgress, saveProgress, updateExercise } from '../src/progress.ts';
import { gitCopyOfFixture, SLOW_MS, tempDir } from './helpers.ts';

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
