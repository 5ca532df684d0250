/**
 * `.dockerignore`, as the Docker CLI reads it. The engine's build API takes a tar of the
 * context and knows nothing of `.dockerignore`: the CLIENT filters the files. dockerode does
 * not, so the course does it here, with the CLI's rules:
 *
 * - one pattern a line; `#` comments; `!pattern` lets back in what an earlier line left out;
 *   the LAST pattern that matches a path decides;
 * - `*` and `?` stop at `/`, `**` spans folders; a pattern matches a path or any folder above
 *   it (`node_modules` leaves out everything inside);
 * - a left-out folder is not even walked unless an exception names a path inside it literally
 *   (`!tools/package.json` is seen, `!*\/package.json` is not): the CLI's shortcut, kept so
 *   that both send the same files.
 */
import { lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import path from 'node:path';

/** One compiled line of a `.dockerignore`. */
export interface IgnorePattern {
  /** The pattern as cleaned (no leading `/` or `!`). */
  text: string;
  /** `!pattern`: lets matching paths back in. */
  exception: boolean;
  regex: RegExp;
}

/** Compiles the lines of a `.dockerignore` (comments and blank lines dropped). */
export function parseDockerignore(text: string): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const exception = line.startsWith('!');
    if (exception) line = line.slice(1).trim();
    line = path.posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    if (line === '' || line === '.') continue;
    patterns.push({ text: line, exception, regex: globToRegex(line) });
  }
  return patterns;
}

/** A Go `filepath.Match` pattern with `**`, as a regular expression over a whole path. */
export function globToRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          out += '(?:.*/)?'; // `**/` : any folders, or none
        } else out += '.*';
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) out += '\\[';
      else {
        const body = glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) out += escapeChar(glob[++i]!);
    else out += escapeChar(c);
  }
  return new RegExp(`^${out}$`);
}

function escapeChar(c: string): string {
  return /[.+^${}()|\\/]/.test(c) ? `\\${c}` : c;
}

/**
 * Whether `relPath` (`/`-separated, relative to the context root) is left out. A pattern
 * matches the path itself or any folder above it; the last matching pattern decides.
 */
export function isIgnored(relPath: string, patterns: readonly IgnorePattern[]): boolean {
  const parts = relPath.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const pattern of patterns) {
    if (candidates.some((candidate) => pattern.regex.test(candidate))) ignored = !pattern.exception;
  }
  return ignored;
}

/** One file of a context. */
export interface ContextFile {
  /** Path relative to the root, `/`-separated. */
  name: string;
  /** Absolute path on disk. */
  absolute: string;
  stats: Stats;
}

/**
 * Walks `root` and returns the files a `docker build` of it would send, sorted by name.
 * Symlinks are returned as they are (not followed); folders are implied by their files.
 */
export function contextFiles(root: string, patterns: readonly IgnorePattern[]): ContextFile[] {
  const files: ContextFile[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      const absolute = path.join(dir, entry.name);
      const ignored = isIgnored(name, patterns);
      if (entry.isDirectory()) {
        if (!ignored || mayReincludeInside(name, patterns)) walk(absolute, name);
      } else if (!ignored && (entry.isFile() || entry.isSymbolicLink())) {
        files.push({ name, absolute, stats: lstatSync(absolute) });
      }
    }
  };
  walk(root, '');
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The CLI's shortcut: walk a left-out folder only if an exception starts with its path. */
function mayReincludeInside(dir: string, patterns: readonly IgnorePattern[]): boolean {
  return patterns.some((p) => p.exception && `${p.text}/`.startsWith(`${dir}/`));
}

/** Reads `<root>/.dockerignore` (none: nothing is left out). */
export function readDockerignore(root: string): IgnorePattern[] {
  try {
    return parseDockerignore(readFileSync(path.join(root, '.dockerignore'), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
