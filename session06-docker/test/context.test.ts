/**
 * What reaches the engine: `.dockerignore` read with the CLI's rules, the repository's build
 * context (no node_modules, .git, outputs, tests or fixtures except the sample photos), and a
 * tar archive that the system's `tar` reads back.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isIgnored, packContext, packTar, parseDockerignore, REPO_ROOT } from '@workbook/session06';
import { describe, expect, it } from 'vitest';

describe('.dockerignore rules', () => {
  const rules = parseDockerignore(
    [
      '# comment',
      '*',
      '!keep.txt',
      '!src',
      'src/*.test.ts',
      '**/node_modules',
      '!docs/**/*.md',
    ].join('\n'),
  );

  it('the last matching pattern decides, and a pattern covers what is below a folder', () => {
    expect(isIgnored('other.txt', rules)).toBe(true);
    expect(isIgnored('keep.txt', rules)).toBe(false);
    expect(isIgnored('src/index.ts', rules)).toBe(false);
    expect(isIgnored('src/index.test.ts', rules)).toBe(true);
    expect(isIgnored('src/node_modules/x/index.js', rules)).toBe(true);
    expect(isIgnored('docs/a/b/readme.md', rules)).toBe(false);
  });

  it('* and ? stop at a slash, ** does not', () => {
    const r = parseDockerignore('a/*.js\nb/?.js\nc/**/z');
    expect(isIgnored('a/x.js', r)).toBe(true);
    expect(isIgnored('a/d/x.js', r)).toBe(false);
    expect(isIgnored('b/x.js', r)).toBe(true);
    expect(isIgnored('b/xy.js', r)).toBe(false);
    expect(isIgnored('c/z', r)).toBe(true);
    expect(isIgnored('c/1/2/z', r)).toBe(true);
  });
});

describe("the repository's build context", () => {
  const context = packContext({ root: REPO_ROOT, dockerfile: 'session06-docker/Dockerfile' });

  it('keeps node_modules, .git, outputs, tests, exercises and fixtures out', () => {
    const bad = context.files.filter((f) =>
      /(^|\/)(node_modules|\.git|out|\.bench|test|exercises|solutions|wrong)\//.test(f),
    );
    expect(bad, '🚨 these must not be sent to the engine').toEqual([]);
    expect(
      context.files.some(
        (f) => f.startsWith('tools/fixtures/') && !f.startsWith('tools/fixtures/photos/'),
      ),
    ).toBe(false);
  });

  it('has what the images need: lockfile, manifests, sources, entries, photos, the Dockerfile', () => {
    for (const needed of [
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      'package.json',
      'session05-monitoring/package.json',
      'session05-monitoring/bin/imgq-worker.mjs',
      'session04-redis/src/index.ts',
      'tools/fixtures/photos/rocket.jpg',
      'session06-docker/Dockerfile',
      'session06-docker/pipelines/thumbnail.json',
    ]) {
      expect(context.files, `🚨 the context must contain ${needed}`).toContain(needed);
    }
    expect(context.bytes, 'the context stays small (a few MB)').toBeLessThan(20 * 1024 * 1024);
  });

  it('has a digest that changes with one edited file and with nothing else', () => {
    const again = packContext({ root: REPO_ROOT, dockerfile: 'session06-docker/Dockerfile' });
    expect(again.digest).toBe(context.digest);
    const edited = packContext({
      root: REPO_ROOT,
      dockerfile: 'session06-docker/Dockerfile',
      overrides: { 'session04-redis/src/index.ts': '// edited\n' },
    });
    expect(edited.digest).not.toBe(context.digest);
  });
});

describe('packTar', () => {
  it('writes an archive that tar lists and extracts, long names and modes included', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 's06-tar-'));
    try {
      const long = `${'deep/'.repeat(40)}file.txt`;
      const archive = path.join(dir, 'a.tar');
      writeFileSync(
        archive,
        packTar([
          { name: 'hello.txt', data: 'hi\n' },
          { name: 'bin/run.sh', data: '#!/bin/sh\n', mode: 0o755 },
          { name: long, data: 'x' },
        ]),
      );
      const listing = execFileSync('tar', ['-tvf', archive], { encoding: 'utf8' });
      expect(listing).toContain('hello.txt');
      expect(listing).toMatch(/-rwxr-xr-x .* bin\/run\.sh/);
      execFileSync('tar', ['-xf', archive, '-C', dir]);
      expect(execFileSync('cat', [path.join(dir, long)], { encoding: 'utf8' })).toBe('x');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
