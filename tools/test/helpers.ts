/**
 * Helpers for the tools' own tests: the fixture workbook (a tiny course laid out by
 * CONVENTIONS.md, see fixtures/workbook/README.md) and throwaway git copies of it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Time limit for tests that start vitest, tsx or git processes: generous, because a busy
 * two-core machine running the whole suite can slow each child start-up tenfold. A limit,
 * not a speed claim.
 */
export const SLOW_MS = 180_000;

/** Root of the fixture workbook (read-only: copy it before changing anything). */
export const FIXTURE_ROOT = fileURLToPath(new URL('./fixtures/workbook', import.meta.url));

/** The fixture's session folder. */
export const FIXTURE_SESSION = path.join(FIXTURE_ROOT, 'session01-fixture');

/** Runs git in `cwd` with a fixed identity; throws with git's message on failure. */
export function git(cwd: string, ...args: string[]): string {
  const result = spawnSync(
    'git',
    [
      '-c',
      'user.name=Course Test',
      '-c',
      'user.email=test@example.invalid',
      '-c',
      'commit.gpgsign=false',
      ...args,
    ],
    { cwd, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** A temporary copy of the fixture workbook, committed to a fresh git repository. */
export function gitCopyOfFixture(): { root: string; [Symbol.dispose](): void } {
  const root = mkdtempSync(path.join(tmpdir(), 'workbook-fixture-'));
  cpSync(FIXTURE_ROOT, root, { recursive: true });
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'course');
  return {
    root,
    [Symbol.dispose]: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A temporary folder removed on dispose. */
export function tempDir(prefix = 'workbook-test-'): { dir: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Collects printed lines; `text()` joins them without colour codes. */
export function printer() {
  const lines: string[] = [];
  return {
    lines,
    print: (line: string) => {
      lines.push(line);
    },
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the ESC of colour codes
    text: () => lines.join('\n').replace(/\u001b\[[0-9;]*m/g, ''),
  };
}
