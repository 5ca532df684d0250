import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  authoringProblems,
  discoverWorkbook,
  resolveExercise,
  resolveSelection,
  resolveSession,
  sessionOfDir,
  UnknownIdError,
} from '../src/exercises.ts';
import { FIXTURE_ROOT, FIXTURE_SESSION, gitCopyOfFixture, SLOW_MS } from './helpers.ts';

const workbook = discoverWorkbook(FIXTURE_ROOT);

describe('discoverWorkbook', () => {
  it('finds the session from its package.json workbook field', () => {
    expect(workbook.sessions.map((s) => [s.number, s.title, s.folder, s.flagship])).toEqual([
      ['01', 'Fixture basics', 'session01-fixture', 'hello'],
    ]);
  });

  it('describes each exercise by convention', () => {
    const [double, shout] = workbook.exercises;
    expect(double).toMatchObject({
      id: '01.1',
      session: '01',
      number: 1,
      slug: 'double',
      folder: '01-double',
      title: 'Double a number',
      starterFiles: [path.join(FIXTURE_SESSION, 'exercises/01-double/double.ts')],
      solutionFiles: [path.join(FIXTURE_SESSION, 'solutions/01-double/double.ts')],
      wrongDir: path.join(FIXTURE_SESSION, 'wrong/01-double'),
      checkFile: path.join(FIXTURE_SESSION, 'test/exercises/01-double.test.ts'),
      hintsFile: path.join(FIXTURE_SESSION, 'exercises/01-double/HINTS.md'),
    });
    expect(shout?.id).toBe('01.2');
    expect(shout?.hintsFile).toBeNull();
  });

  it('ignores folders that are not sessions or not exercises', () => {
    // exercises/target.ts is a file, not an NN-slug folder; tools/ has no workbook field.
    expect(workbook.exercises.map((ex) => ex.folder)).toEqual(['01-double', '02-shout']);
    expect(discoverWorkbook(path.join(FIXTURE_ROOT, 'nowhere')).sessions).toEqual([]);
  });

  it('finds no authoring problem in a sound layout', () => {
    expect(authoringProblems(workbook)).toEqual([]);
  });
});

describe('authoringProblems', { timeout: SLOW_MS }, () => {
  it('reports missing checks, solutions, wrong files and orphan checks by name', () => {
    using copy = gitCopyOfFixture();
    const session = path.join(copy.root, 'session01-fixture');
    rmSync(path.join(session, 'test/exercises/01-double.test.ts'));
    rmSync(path.join(session, 'solutions/02-shout/shout.ts'));
    rmSync(path.join(session, 'wrong/01-double/double.ts'));
    writeFileSync(path.join(session, 'test/exercises/09-ghost.test.ts'), '');
    mkdirSync(path.join(session, 'exercises/03-empty'));
    const problems = authoringProblems(discoverWorkbook(copy.root));
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          where: '01.1',
          message:
            'check file missing: expected session01-fixture/test/exercises/01-double.test.ts',
        },
        {
          where: '01.2',
          message: 'solution file missing: expected session01-fixture/solutions/02-shout/shout.ts',
        },
        {
          where: '01.1',
          message: 'wrong file missing: expected session01-fixture/wrong/01-double/double.ts',
        },
        { where: '01.3', message: 'no starter .ts file in session01-fixture/exercises/03-empty' },
        {
          where: 'session01-fixture',
          message:
            'check file session01-fixture/test/exercises/09-ghost.test.ts has no exercise folder exercises/09-ghost/',
        },
      ]),
    );
  });
});

describe('resolveExercise', () => {
  it.each([
    ['01.2', '01.2'],
    ['1.2', '01.2'],
    ['shout', '01.2'],
    ['02-shout', '01.2'],
    ['session01-fixture/exercises/02-shout/', '01.2'],
  ])('resolves %s', (query, id) => {
    expect(resolveExercise(workbook, query).id).toBe(id);
  });

  it('accepts British spellings and suggests near misses', () => {
    const grey = {
      ...workbook,
      exercises: [{ ...workbook.exercises[0]!, slug: 'grayscale-thumbnail', id: '01.1' }],
    };
    expect(resolveExercise(grey, 'greyscale-thumbnail').id).toBe('01.1');
    expect(() => resolveExercise(grey, 'grey-thumbnail')).toThrow(
      'No exercise matches `grey-thumbnail`. Did you mean 01.1 (grayscale-thumbnail)?',
    );
    expect(() => resolveExercise(workbook, 'shuot')).toThrow('Did you mean 01.2 (shout)?');
    expect(() => resolveExercise(workbook, '01.7')).toThrow(
      'No exercise matches `01.7`. Session 01 has 01.1 to 01.2.',
    );
  });

  it('accepts a bare number inside a session', () => {
    expect(resolveExercise(workbook, '2', { session: '01' }).id).toBe('01.2');
    expect(() => resolveExercise(workbook, '2')).toThrow(UnknownIdError);
  });

  it('lists the valid ids, grouped by session, for an unknown id', () => {
    const error = (() => {
      try {
        resolveExercise(workbook, '07.9');
      } catch (e) {
        return e as UnknownIdError;
      }
    })();
    expect(error).toBeInstanceOf(UnknownIdError);
    expect(error?.message).toBe('No exercise matches `07.9`.');
    expect(error?.listing).toContain('Session 01 · Fixture basics');
    expect(error?.listing).toMatch(/01\.1\s+double\s+Double a number/);
    expect(error?.listing).toMatch(/01\.2\s+shout\s+Shout a word/);
  });
});

describe('resolveSelection', () => {
  const ids = (args: string[], session?: string) =>
    resolveSelection(workbook, args, { session: session ?? null }).exercises.map((ex) => ex.id);

  it('selects everything at the root and the current session inside one', () => {
    expect(ids([])).toEqual(['01.1', '01.2']);
    expect(resolveSelection(workbook, [], { session: '01' }).label).toBe('session 01');
  });

  it('selects a session, an exercise, or an exercise of a session', () => {
    expect(ids(['01'])).toEqual(['01.1', '01.2']);
    expect(ids(['session01'])).toEqual(['01.1', '01.2']);
    expect(ids(['01.2'])).toEqual(['01.2']);
    expect(ids(['01', '2'])).toEqual(['01.2']);
    expect(ids(['01', 'double'])).toEqual(['01.1']);
    // A session script passes its number first; a full id typed after it still wins.
    expect(ids(['01', '01.1'])).toEqual(['01.1']);
  });

  it('rejects unknown sessions and extra arguments', () => {
    expect(() => ids(['05', '1'])).toThrow('No session matches `05`.');
    expect(() => ids(['01', '1', 'x'])).toThrow('Too many arguments');
    expect(() => resolveSession(workbook, '3')).toThrow(UnknownIdError);
  });
});

describe('sessionOfDir', () => {
  it('knows the session of any folder inside it, and none outside', () => {
    expect(sessionOfDir(workbook, path.join(FIXTURE_SESSION, 'exercises', '01-double'))).toBe('01');
    expect(sessionOfDir(workbook, FIXTURE_ROOT)).toBeNull();
    expect(sessionOfDir(workbook, path.dirname(FIXTURE_ROOT))).toBeNull();
  });
});
