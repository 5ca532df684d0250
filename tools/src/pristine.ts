/**
 * The pristine starter of an exercise, read from git: no extra copy to keep in sync, and it
 * works in a fresh clone.
 *
 * The base commit is `git merge-base HEAD @{upstream}` when the branch tracks a remote
 * branch (what the student cloned, even after committing their own work), else `HEAD`.
 */
import { spawnSync } from 'node:child_process';

/** The commit starters are read from, and how it was chosen (printed to the student). */
export interface GitBase {
  commit: string;
  /** e.g. `the merge-base of HEAD and origin/main (1a2b3c4)`. */
  description: string;
}

function git(root: string, args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return {
    ok: result.status === 0,
    stdout: (result.stdout ?? '').trim(),
    stderr: (result.stderr ?? result.error?.message ?? '').trim(),
  };
}

/**
 * Finds the base commit of the starters.
 * @throws {Error} when `root` is not a git checkout with at least one commit (the message
 * says what to do).
 */
export function gitBase(root: string): GitBase {
  const head = git(root, ['rev-parse', '--verify', 'HEAD']);
  if (!head.ok) {
    throw new Error(
      `Cannot read the pristine starters: ${root} is not a git clone with commits ` +
        `(${head.stderr || 'git failed'}). Clone the course with git to use reset and ` +
        'progress detection.',
    );
  }
  const upstream = git(root, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}']);
  if (upstream.ok && upstream.stdout) {
    const base = git(root, ['merge-base', 'HEAD', '@{upstream}']);
    if (base.ok && base.stdout) {
      return {
        commit: base.stdout,
        description: `the merge-base of HEAD and ${upstream.stdout} (${base.stdout.slice(0, 7)})`,
      };
    }
  }
  return {
    commit: head.stdout,
    description: `your last commit, HEAD (${head.stdout.slice(0, 7)}); no upstream branch is set`,
  };
}

/** Paths relative to `root` (forward slashes) of the files under `folder` at `base`. */
export function filesAt(root: string, base: GitBase, folder: string): string[] {
  const result = git(root, ['ls-tree', '-r', '--name-only', base.commit, '--', folder]);
  if (!result.ok) throw new Error(`git ls-tree failed: ${result.stderr}`);
  return result.stdout ? result.stdout.split('\n') : [];
}

/** The bytes of `relPath` at `base`, or `null` when the file did not exist there. */
export function fileAt(root: string, base: GitBase, relPath: string): Buffer | null {
  // `./` makes the path relative to `root`, which need not be the top of the git repository.
  const result = spawnSync('git', ['show', `${base.commit}:./${relPath}`], { cwd: root });
  return result.status === 0 ? result.stdout : null;
}

/**
 * Paths (relative to `root`) under `folders` that differ from `base` in the working tree:
 * modified, deleted, or new and not ignored. One git call for all exercises.
 */
export function changedSince(root: string, base: GitBase, folders: string[]): Set<string> {
  if (folders.length === 0) return new Set();
  const diff = git(root, [
    'diff',
    '--relative',
    '--name-only',
    '--no-renames',
    base.commit,
    '--',
    ...folders,
  ]);
  const untracked = git(root, ['ls-files', '--others', '--exclude-standard', '--', ...folders]);
  const lines = [diff.stdout, untracked.stdout].join('\n').split('\n');
  return new Set(lines.filter(Boolean));
}
