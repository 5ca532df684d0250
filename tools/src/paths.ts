import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The `tools/` folder of the course repository. */
export const TOOLS_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The course repository root (the folder that holds `tools/` and the `session*` packages). */
export const REPO_ROOT = path.resolve(TOOLS_DIR, '..');

/**
 * Absolute path of the JavaScript entry of a package's command (`vitest`, `tsc`, `biome`).
 *
 * The gate and the CLI spawn these with `process.execPath` instead of going through
 * `node_modules/.bin` shims or a global `pnpm`: that works the same on Linux, macOS, WSL
 * and Windows, and with `npx pnpm` where no `pnpm` binary is on PATH.
 * @example binEntry('vitest') // …/node_modules/vitest/vitest.mjs
 * @throws {Error} when the package is not installed (the message says to run the install).
 */
export function binEntry(pkg: string, bin = pkg.split('/').pop()!, root = REPO_ROOT): string {
  const require = createRequire(path.join(root, 'package.json'));
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(
      `Cannot find the package \`${pkg}\` from ${root}. Run the install first: ` +
        '`npx -y pnpm@10.34.9 install --frozen-lockfile`.',
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const rel = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[bin];
  if (!rel) throw new Error(`The package \`${pkg}\` has no \`${bin}\` command`);
  return path.join(path.dirname(manifestPath), rel);
}

/** True when the module with this `import.meta.url` is the script Node was started with. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  return pathToFileURL(path.resolve(script)).href === moduleUrl;
}

/** A path relative to `from` (default: the current folder), with forward slashes. */
export function rel(target: string, from = process.cwd()): string {
  const relative = path.relative(from, target) || '.';
  return relative.split(path.sep).join('/');
}
