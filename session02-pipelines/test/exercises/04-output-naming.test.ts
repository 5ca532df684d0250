import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outputNameFor, pendingImages } from '#ex/04-output-naming/output-name.ts';

const thumb = { pattern: '{name}-{pipeline}.{ext}', pipeline: 'thumb', format: 'webp' as const };
const dir = mkdtempSync(path.join(tmpdir(), 'session02-ex04-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'nothing was thrown';
}

describe('02.4 output names and skip-existing', () => {
  it('builds the name from the pattern', () => {
    expect(outputNameFor('tom.jpeg', thumb)).toBe('tom-thumb.webp');
    expect(outputNameFor('tom.png', { ...thumb, pattern: '{pipeline}_{name}_{name}.{ext}' })).toBe(
      'thumb_tom_tom.webp',
    );
  });

  it('uses the usual extension of the format (jpeg → jpg)', () => {
    expect(outputNameFor('a.png', { ...thumb, format: 'jpeg' }), '🚨 JPEG files end in .jpg').toBe(
      'a-thumb.jpg',
    );
  });

  it('keeps the sub-folder of the input', () => {
    expect(outputNameFor(path.join('cats', 'small', 'kit.png'), thumb)).toBe(
      path.join('cats', 'small', 'kit-thumb.webp'),
    );
  });

  it.each([
    ['no {name}', '{pipeline}.{ext}'],
    ['a folder', 'out/{name}.{ext}'],
    ['a way up', '..{name}.{ext}'],
    ['an unknown token', '{name}-{width}.{ext}'],
  ])('rejects a pattern with %s (ERR_INVALID_OPTION)', (_label, pattern) => {
    expect(codeOf(() => outputNameFor('a.png', { ...thumb, pattern }))).toBe('ERR_INVALID_OPTION');
  });

  it('skip-existing: keeps only the images whose output is missing, in order', async () => {
    mkdirSync(path.join(dir, 'cats'), { recursive: true });
    writeFileSync(path.join(dir, 'b-thumb.webp'), 'done before');
    writeFileSync(path.join(dir, 'cats', 'd-thumb.webp'), 'done before');
    const planned = ['a.png', 'b.png', 'c.png', path.join('cats', 'd.png')].map((input) => ({
      input,
      output: outputNameFor(input, thumb),
    }));
    const pending = await pendingImages(dir, planned);
    expect(
      pending.map((p) => p.input),
      '🚨 b and cats/d already have outputs',
    ).toEqual(['a.png', 'c.png']);
  });
});
