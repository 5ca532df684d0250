/**
 * The layering rules live in biome.json (so `pnpm lint`, the gate and the editor all apply
 * them): `noRestrictedImports` refuses a relative import into another package's folder (a
 * session's `src/`, `test/`, `demos/`, ... or `tools/`), and the plugin
 * `tools/src/lint/exports-into-test-or-demos.grit` refuses a package.json export that points
 * into `test/` or `demos/`. These tests run Biome with the repository's own configuration on a
 * throwaway copy with known violations, so a change to the configuration that silently stops
 * catching them fails here.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { binEntry, REPO_ROOT } from '../src/paths.ts';
import { SLOW_MS } from './helpers.ts';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway repository root with the real biome.json and plugin, plus `files`. */
function repoWith(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'layering-lint-'));
  temps.push(root);
  cpSync(path.join(REPO_ROOT, 'biome.json'), path.join(root, 'biome.json'));
  cpSync(path.join(REPO_ROOT, 'tools/src/lint'), path.join(root, 'tools/src/lint'), {
    recursive: true,
  });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

/** `biome lint` in `root` (no git there): the diagnostics as `file:line rule`. */
function lint(root: string): { status: number | null; findings: string[]; output: string } {
  const result = spawnSync(
    process.execPath,
    [
      binEntry('@biomejs/biome', 'biome'),
      'lint',
      '--vcs-enabled=false',
      '--max-diagnostics=100',
      '--colors=off',
      '.',
    ],
    { cwd: root, encoding: 'utf8' },
  );
  const output = `${result.stdout}${result.stderr}`;
  const findings = [...output.matchAll(/^(\S+:\d+):\d+ (\S+)/gm)].map((m) => `${m[1]} ${m[2]}`);
  return { status: result.status, findings: findings.sort(), output };
}

const PACKAGE = (name: string, exports: Record<string, unknown>) =>
  `${JSON.stringify({ name, private: true, type: 'module', exports }, null, 2)}\n`;

describe('layering rules in biome.json', () => {
  it(
    'refuses relative imports into another package, and exports into test/ or demos/',
    () => {
      const root = repoWith({
        'session02-b/package.json': PACKAGE('@workbook/session02', {
          '.': './src/index.ts',
          './contract': './test/contract.ts',
          './demo-support': { default: './demos/support/redis.ts' },
        }),
        'session02-b/src/index.ts': [
          "import { a } from '../../session01-a/src/index.ts';",
          "import type { T } from '../../session01-a/test/helpers.ts';",
          "export { k } from '../../tools/src/testkit/index.ts';",
          "export const b = async (): Promise<T> => [a, await import('../../session01-a/demos/x.ts')];",
          '',
        ].join('\n'),
        'tools/bench/queue.ts':
          "import { q } from '../../session04-c/src/queue.ts';\nexport { q };\n",
      });
      const { findings, output } = lint(root);
      expect(findings, `🚨 each violation must be reported with file and line:\n${output}`).toEqual(
        [
          'session02-b/package.json:7 plugin',
          'session02-b/package.json:9 plugin',
          'session02-b/src/index.ts:1 lint/style/noRestrictedImports',
          'session02-b/src/index.ts:2 lint/style/noRestrictedImports',
          'session02-b/src/index.ts:3 lint/style/noRestrictedImports',
          'session02-b/src/index.ts:4 lint/style/noRestrictedImports',
          'tools/bench/queue.ts:1 lint/style/noRestrictedImports',
        ],
      );
      expect(output).toContain('Import the package by its name instead');
      expect(output).toContain('points into test/ or demos/');
    },
    SLOW_MS,
  );

  it(
    'allows imports by package name, relative imports inside a package, and src/ exports',
    () => {
      const root = repoWith({
        'session02-b/package.json': PACKAGE('@workbook/session02', {
          '.': './src/index.ts',
          './testing': './src/testing/index.ts',
        }),
        'session02-b/src/index.ts': [
          "import { a } from '@workbook/session01';",
          "import { t } from '@workbook/tools/testkit';",
          "import { c } from './testing/index.ts';",
          'export const b = [a, t, c];',
          '',
        ].join('\n'),
        'session02-b/src/testing/index.ts': "export { b as c } from '../index.ts';\n",
        'tools/bench/queue.ts': "import { rel } from '../src/paths.ts';\nexport { rel };\n",
      });
      const { status, findings, output } = lint(root);
      expect(findings, output).toEqual([]);
      expect(status, output).toBe(0);
    },
    SLOW_MS,
  );
});
