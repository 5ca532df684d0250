import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outputNameFor, pendingImages } from '#ex/04-output-naming/output-name.ts';
import { outcomeOf } from '../check-helpers.ts';

const thumb = { pattern: '{name}-{pipeline}.{ext}', pipeline: 'thumb', format: 'webp' as const };
const dir = mkdtempSync(path.join(tmpdir(), 'session02-ex04-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('02.4 output names and skip-existing', () => {
  it('builds the name from the pattern', () => {
    const name = outputNameFor('tom.jpeg', thumb);
    expect(
      name,
      `🚨 'tom.jpeg' with '{name}-{pipeline}.{ext}' (pipeline thumb, webp) is 'tom-thumb.webp'; got '${name}'`,
    ).toBe('tom-thumb.webp');
    const twice = outputNameFor('tom.png', { ...thumb, pattern: '{pipeline}_{name}_{name}.{ext}' });
    expect(
      twice,
      `🚨 a token may appear twice: '{pipeline}_{name}_{name}.{ext}' gives 'thumb_tom_tom.webp' (replace every occurrence, not the first); got '${twice}'`,
    ).toBe('thumb_tom_tom.webp');
  });

  it('{name} is the file name without its last extension', () => {
    const name = outputNameFor('my.cat.png', thumb);
    expect(
      name,
      `🚨 {name} of 'my.cat.png' keeps 'my.cat' (only the last extension goes): 'my.cat-thumb.webp'; got '${name}'`,
    ).toBe('my.cat-thumb.webp');
  });

  it('uses the usual extension of the format (jpeg → jpg)', () => {
    for (const [format, ext] of [
      ['jpeg', 'jpg'],
      ['png', 'png'],
      ['avif', 'avif'],
    ] as const) {
      const name = outputNameFor('a.png', { ...thumb, format });
      expect(
        name,
        `🚨 {ext} of format ${format} is '${ext}'${format === 'jpeg' ? ' (JPEG files end in .jpg)' : ''}; got '${name}'`,
      ).toBe(`a-thumb.${ext}`);
    }
  });

  it('keeps the sub-folder of the input', () => {
    const input = path.join('cats', 'small', 'kit.png');
    const name = outputNameFor(input, thumb);
    expect(
      name,
      `🚨 '${input}' goes to the same sub-folder: '${path.join('cats', 'small', 'kit-thumb.webp')}'; got '${name}'`,
    ).toBe(path.join('cats', 'small', 'kit-thumb.webp'));
  });

  it.each([
    ['no {name} (every image would get the same file)', '{pipeline}.{ext}'],
    ["a folder ('/')", 'out/{name}.{ext}'],
    ['a backslash folder', 'out\\{name}.{ext}'],
    ["a way up ('..')", '..{name}.{ext}'],
    ['an unknown token ({width})', '{name}-{width}.{ext}'],
  ])('rejects a pattern with %s (ERR_INVALID_OPTION)', (label, pattern) => {
    const outcome = outcomeOf(() => outputNameFor('a.png', { ...thumb, pattern }));
    expect(
      outcome.code,
      `🚨 the pattern '${pattern}' has ${label}: throw an InvalidOptionError (ERR_INVALID_OPTION); your code ${outcome.said}`,
    ).toBe('ERR_INVALID_OPTION');
    expect(
      outcome.message.includes(pattern),
      `🚨 the message must show the pattern received ('${pattern}'): "${outcome.message}"`,
    ).toBe(true);
  });

  it('skip-existing: keeps only the images whose output is missing, in order', async () => {
    mkdirSync(path.join(dir, 'cats'), { recursive: true });
    writeFileSync(path.join(dir, 'b-thumb.webp'), 'done before');
    writeFileSync(path.join(dir, 'cats', 'd-thumb.webp'), 'done before');
    const planned = ['a.png', 'b.png', 'c.png', path.join('cats', 'd.png'), 'e.png'].map(
      (input) => ({ input, output: outputNameFor(input, thumb) }),
    );
    const pending = (await pendingImages(dir, planned)).map((p) => p.input);
    expect(
      pending,
      `🚨 skip-existing: b.png and cats/d.png already have outputs in the output folder, so only a.png, c.png, e.png are pending (in this order); your code returned ${pending.join(', ') || 'nothing'}`,
    ).toEqual(['a.png', 'c.png', 'e.png']);
    const none = await pendingImages(dir, [{ input: 'b.png', output: 'b-thumb.webp' }]);
    expect(none, '🚨 when every output exists, nothing is pending').toEqual([]);
  });
});
