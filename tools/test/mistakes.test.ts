import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMistakes } from '../src/catalogue.ts';
import { authoringProblems, discoverWorkbook } from '../src/exercises.ts';
import { parseMistakeDoc } from '../src/mistakes.ts';
import { redirectMistake } from '../src/switch-sentinel.ts';
import { parseMistakeSelectors, workbookMistakes } from '../src/target.ts';
import { runVitest } from '../src/vitest-run.ts';
import { FIXTURE_ROOT, FIXTURE_SESSION, gitCopyOfFixture, printer, SLOW_MS } from './helpers.ts';

describe('MISTAKE.md / WRONG.md', () => {
  it('reads the name, the paragraph and the text of the last 🚨 line', () => {
    const doc = parseMistakeDoc(
      '# `some` for `every`\n\nOne name is enough for the loose check.\nSecond line.\n\n🚨  every name must match \n\n',
    );
    expect(doc).toEqual({
      name: '`some` for `every`',
      description: 'One name is enough for the loose check.\nSecond line.',
      alarm: 'every name must match',
    });
    expect(parseMistakeDoc('# x\n\nNo alarm here.\n').alarm).toBeNull();
    // A 🚨 in the middle of the paragraph is not the last line.
    expect(parseMistakeDoc('# x\n\n🚨 early\n\nthen text\n').alarm).toBeNull();
  });
});

describe('WORKBOOK_MISTAKE', () => {
  it('reads one selector or several, and says how to write one when malformed', () => {
    expect(
      parseMistakeSelectors('session01-a/mistakes/01-x/off-by-one, session02-b/mistakes/03-y/z/'),
    ).toEqual([
      {
        session: 'session01-a',
        exercise: '01-x',
        mistake: 'off-by-one',
        path: 'session01-a/mistakes/01-x/off-by-one',
      },
      {
        session: 'session02-b',
        exercise: '03-y',
        mistake: 'z',
        path: 'session02-b/mistakes/03-y/z',
      },
    ]);
    expect(() => parseMistakeSelectors('01-x/off-by-one')).toThrow(
      'Expected `WORKBOOK_MISTAKE` to look like <session-folder>/mistakes/<EE>-<slug>/<mistake>, got `01-x/off-by-one`',
    );
    expect(() => workbookMistakes({ WORKBOOK_TARGET: 'mistake' })).toThrow(
      'WORKBOOK_TARGET=mistake needs `WORKBOOK_MISTAKE=',
    );
    expect(() =>
      parseMistakeSelectors('session01-a/mistakes/01-x/a,session01-a/mistakes/01-x/b'),
    ).toThrow('names two mistakes of session01-a/01-x');
    expect(workbookMistakes({ WORKBOOK_TARGET: 'solution', WORKBOOK_MISTAKE: 'junk' })).toEqual([]);
  });

  it("redirects only the selected exercise's imports from its own session", () => {
    const [selector] = parseMistakeSelectors('session01-fixture/mistakes/01-double/squares');
    const check = path.join(FIXTURE_SESSION, 'test/exercises/01-double.test.ts');
    expect(redirectMistake('#ex/01-double/double.ts', check, [selector!])).toBe(
      path.join(FIXTURE_SESSION, 'mistakes/01-double/squares/double.ts').replaceAll('\\', '/'),
    );
    expect(redirectMistake('#ex/02-shout/shout.ts', check, [selector!])).toBeNull();
    expect(redirectMistake('#ex/target.ts', check, [selector!])).toBeNull();
    expect(
      redirectMistake('#ex/01-double/double.ts', '/elsewhere/session02-x/t.ts', [selector!]),
    ).toBeNull();
    expect(() => redirectMistake('#ex/01-double/missing.ts', check, [selector!])).toThrow(
      'A mistake folder holds ALL the files of solutions/01-double/',
    );
  });
});

describe('the mistake target in vitest (real runs on the fixture workbook)', {
  timeout: SLOW_MS,
}, () => {
  const double = path.join(FIXTURE_SESSION, 'test/exercises/01-double.test.ts');
  const shout = path.join(FIXTURE_SESSION, 'test/exercises/02-shout.test.ts');
  const switchTest = path.join(FIXTURE_SESSION, 'test/switch.test.ts');

  it('loads the selected mistakes of several exercises at once and the references elsewhere', async () => {
    const run = await runVitest({
      root: FIXTURE_ROOT,
      target: 'mistake',
      files: [double, shout, switchTest],
      env: {
        WORKBOOK_MISTAKE:
          'session01-fixture/mistakes/01-double/squares,session01-fixture/mistakes/02-shout/no-bang',
      },
    });
    const byFile = (file: string) =>
      run.report?.testResults
        .find((r) => path.resolve(r.name) === file)
        ?.assertionResults.map((t) => [t.title, t.status, t.failureMessages.join('')]);
    expect(byFile(double), run.output).toEqual([
      ['doubles 2', 'passed', ''],
      ['doubles 3', 'failed', expect.stringContaining('🚨 double(3) must be 6')],
    ]);
    expect(byFile(shout)?.map(([title, status]) => [title, status])).toEqual([
      ['shouts hi', 'failed'],
      ['is a function', 'passed'],
    ]);
    expect(byFile(switchTest)?.map(([, status]) => status)).toEqual(['passed']);
  });
});

describe('discovery and listing of the catalogue', () => {
  it('puts the wrong variant first, then mistakes/ in name order, with their selectors', () => {
    const [double, shout] = discoverWorkbook(FIXTURE_ROOT).exercises;
    expect(double!.mistakes.map((m) => [m.kind, m.slug, m.selector, m.doc.alarm])).toEqual([
      ['wrong', 'wrong', null, null],
      ['mistake', 'squares', 'session01-fixture/mistakes/01-double/squares', 'double(3) must be 6'],
    ]);
    expect(shout!.mistakes.map((m) => m.slug)).toEqual(['wrong', 'lowercase', 'no-bang']);
  });

  it('lists each mistake with its 🚨 text and the command that runs it', () => {
    const out = printer();
    for (const line of formatMistakes(discoverWorkbook(FIXTURE_ROOT).exercises, FIXTURE_ROOT)) {
      out.print(line);
    }
    const text = out.text();
    expect(text).toContain('01.1 Double a number · 2 mistakes (5 wanted)');
    expect(text).toContain('  squares  Squares instead of doubling\n      🚨 double(3) must be 6');
    expect(text).toContain(
      'WORKBOOK_TARGET=mistake WORKBOOK_MISTAKE=session01-fixture/mistakes/01-double/squares pnpm exec vitest run session01-fixture/test/exercises/01-double.test.ts',
    );
    expect(text).toContain('(no 🚨 line: the proof cannot match the message)');
    expect(text).toContain('5 mistake(s) in 2 exercise(s); 2 short of 5.');
  });

  it('reports a mistake folder without a file, a MISTAKE.md without 🚨 and a stray catalogue', {
    timeout: SLOW_MS,
  }, () => {
    using copy = gitCopyOfFixture();
    const session = path.join(copy.root, 'session01-fixture');
    rmSync(path.join(session, 'mistakes/01-double/squares/double.ts'));
    writeFileSync(
      path.join(session, 'mistakes/02-shout/no-bang/MISTAKE.md'),
      '# No bang\n\nText.\n',
    );
    mkdirSync(path.join(session, 'mistakes/09-nothing/x'), { recursive: true });
    const problems = authoringProblems(discoverWorkbook(copy.root)).map(
      (p) => `${p.where}: ${p.message}`,
    );
    expect(problems).toEqual([
      '01.1: mistake squares file missing: expected session01-fixture/mistakes/01-double/squares/double.ts',
      '01.2: session01-fixture/mistakes/02-shout/no-bang: MISTAKE.md does not end with a "🚨 <text of the check\'s message>" line (the proof needs it)',
      'session01-fixture: mistakes/09-nothing/ has no exercise folder exercises/09-nothing/',
    ]);
  });
});
