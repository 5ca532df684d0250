import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeImage } from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInside, writeFileAtomic } from '../src/paths.ts';
import { processImage } from '../src/process-image.ts';

let base: string;
let root: string;
let outside: string;
beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'session02-paths-'));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(root, 'sub', 'ok.txt'), 'ok');
  writeFileSync(path.join(outside, 'secret.txt'), 'secret');
  symlinkSync(outside, path.join(root, 'escape'));
  symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'secret-link.txt'));
  symlinkSync(path.join(root, 'sub'), path.join(root, 'inner-link'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('resolveInside', () => {
  it('resolves relative paths, existing or not, inside the root', async () => {
    const real = path.join(await import('node:fs/promises').then((fs) => fs.realpath(root)));
    expect(await resolveInside(root, 'sub/ok.txt')).toBe(path.join(real, 'sub', 'ok.txt'));
    expect(await resolveInside(root, 'new/folder/out.png')).toBe(
      path.join(real, 'new', 'folder', 'out.png'),
    );
    expect(await resolveInside(root, path.join(root, 'sub', 'ok.txt'))).toBe(
      path.join(real, 'sub', 'ok.txt'),
    );
    expect(await resolveInside(root, 'sub/../sub/ok.txt')).toBe(path.join(real, 'sub', 'ok.txt'));
    expect(await resolveInside(root, 'inner-link/ok.txt')).toBe(path.join(real, 'sub', 'ok.txt'));
  });

  it.each([
    ['.. that climbs out', '../outside/secret.txt'],
    ['deep ..', 'sub/../../outside/secret.txt'],
    ['an absolute path elsewhere', '/etc/passwd'],
    ['a symlinked folder leading out', 'escape/secret.txt'],
    ['a symlinked file leading out', 'secret-link.txt'],
    ['a new file under a symlink leading out', 'escape/new/out.png'],
    ['a NUL byte', 'sub/ok.txt\0.png'],
    ['an empty path', ''],
  ])('rejects %s with ERR_PATH_OUTSIDE_ROOT', async (_label, target) => {
    await expect(resolveInside(root, target)).rejects.toMatchObject({
      code: 'ERR_PATH_OUTSIDE_ROOT',
    });
  });

  it('says which root is missing', async () => {
    await expect(resolveInside(path.join(base, 'nope'), 'x')).rejects.toMatchObject({
      code: 'ERR_FILE_NOT_FOUND',
    });
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file in one step and leaves no temporary file behind', async () => {
    const dir = path.join(base, 'atomic');
    mkdirSync(dir);
    const file = path.join(dir, 'out.bin');
    writeFileSync(file, 'old');
    await writeFileAtomic(file, Buffer.from('new content'));
    expect(readFileSync(file, 'utf8')).toBe('new content');
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('keeps the old file when the write fails', async () => {
    const file = path.join(base, 'no-such-dir', 'out.bin');
    await expect(writeFileAtomic(file, Buffer.from('x'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('processImage confines untrusted paths', () => {
  const spec = { steps: [{ name: 'grayscale' }], output: { format: 'png' as const } };

  it('reads and writes inside the roots', async () => {
    writeFileSync(path.join(root, 'sub', 'in.png'), await makeImage());
    const out = path.join(base, 'out-root');
    mkdirSync(out, { recursive: true });
    const result = await processImage(spec, 'sub/in.png', 'grey/in.png', {
      inputRoot: root,
      outputRoot: out,
    });
    expect(result).toMatchObject({ format: 'png', width: 64, height: 64 });
    expect(readFileSync(path.join(out, 'grey', 'in.png')).length).toBe(result.bytes);
  });

  it.each([
    ['input', '../outside/secret.txt', 'x.png'],
    ['input', 'escape/secret.txt', 'x.png'],
    ['output', 'sub/in.png', '../outside/pwned.png'],
    ['output', 'sub/in.png', '/tmp/pwned.png'],
  ])('rejects an %s path outside its root: %s → %s', async (_which, input, output) => {
    await expect(
      processImage(spec, input, output, {
        inputRoot: root,
        outputRoot: path.join(base, 'out-root'),
      }),
    ).rejects.toMatchObject({ code: 'ERR_PATH_OUTSIDE_ROOT' });
    expect(readdirSync(outside)).toEqual(['secret.txt']);
  });

  it('validates the spec before touching any file', async () => {
    await expect(
      processImage({ steps: [{ name: 'nope' }] }, 'sub/in.png', 'x.png', {
        inputRoot: root,
        outputRoot: root,
      }),
    ).rejects.toMatchObject({ code: 'ERR_UNKNOWN_FILTER' });
  });
});
