import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverWorkbook } from '../src/exercises.ts';
import { loadHints, nextHint, parseHints } from '../src/hints.ts';
import { runCli } from '../src/workbook.ts';
import { FIXTURE_ROOT, printer, tempDir } from './helpers.ts';

describe('parseHints', () => {
  it('splits "## Hint N" sections and ignores text before and other headings', () => {
    const hints = parseHints(
      '# Hints\nintro\n## Hint 1\nfirst\n\nmore\n## Hint 2\n  second  \n## Notes\nnot a hint\n',
    );
    expect(hints).toEqual([
      { number: 1, body: 'first\n\nmore' },
      { number: 2, body: 'second' },
    ]);
  });

  it('rejects hints out of order', () => {
    expect(() => parseHints('## Hint 1\na\n## Hint 3\nb')).toThrow(
      'found "## Hint 3" where "## Hint 2" was expected',
    );
  });

  it('reads an exercise HINTS.md', () => {
    const [double] = discoverWorkbook(FIXTURE_ROOT).exercises;
    expect(loadHints(double!).map((h) => h.body)).toEqual([
      'Think about multiplication.',
      '`return n * 2;`',
    ]);
  });
});

describe('nextHint', () => {
  const hints = parseHints('## Hint 1\na\n## Hint 2\nb');

  it('reveals one more per call, then says they are exhausted', () => {
    expect(nextHint(hints, 0)).toMatchObject({
      kind: 'hint',
      hint: { number: 1 },
      shownAfter: 1,
      total: 2,
    });
    expect(nextHint(hints, 1)).toMatchObject({ kind: 'hint', hint: { number: 2 }, shownAfter: 2 });
    expect(nextHint(hints, 2)).toEqual({ kind: 'exhausted', total: 2 });
    expect(nextHint([], 0)).toEqual({ kind: 'none' });
  });
});

describe('pnpm hint', () => {
  it('shows tiers one per call, remembers them, points to diff at the end, and resets', async () => {
    using tmp = tempDir();
    const progressFile = path.join(tmp.dir, 'progress.json');
    const call = async (...argv: string[]) => {
      const out = printer();
      const code = await runCli(['hint', ...argv], {
        root: FIXTURE_ROOT,
        cwd: FIXTURE_ROOT,
        print: out.print,
        progressFile,
      });
      return { code, text: out.text() };
    };
    const first = await call('01.1');
    expect(first.text).toContain('💡 Hint 1 of 2 for 01.1 Double a number');
    expect(first.text).toContain('Think about multiplication.');
    expect(first.text).not.toContain('return n * 2');
    const second = await call('double');
    expect(second.text).toContain('Hint 2 of 2');
    expect(second.text).toContain('`return n * 2;`');
    const third = await call('01.1');
    expect(third.text).toContain('You have seen all 2 hint(s)');
    expect(third.text).toContain('pnpm workbook diff 01.1');
    const all = await call('01.1', '--all');
    expect(all.text).toContain('Think about multiplication.');
    expect(all.text).toContain('`return n * 2;`');
    await call('01.1', '--reset');
    expect((await call('01.1')).text).toContain('Hint 1 of 2');
    expect((await call('01.2')).text).toContain('has no hints');
  });

  it('lists the valid ids for an unknown exercise and exits 1', async () => {
    using tmp = tempDir();
    const out = printer();
    const code = await runCli(['hint', 'nope'], {
      root: FIXTURE_ROOT,
      cwd: FIXTURE_ROOT,
      print: out.print,
      progressFile: path.join(tmp.dir, 'p.json'),
    });
    expect(code).toBe(1);
    expect(out.text()).toContain('No exercise matches `nope`.');
    expect(out.text()).toContain('01.2  shout');
  });
});
