/**
 * No import cycles in any package's library code: every `src/` of every session and the tools'
 * `src/`, runtime and type-only imports alike, across packages too (imports by package name are
 * followed through each package.json's `exports`). A cycle works only as long as every use of
 * the other module sits inside a function; the first top-level use breaks it at load time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/paths.ts';
import {
  findCycles,
  formatCycle,
  importGraph,
  sourceFilesUnder,
  workspacePackages,
} from './import-graph.ts';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway folder of files (`{ 'src/a.ts': '...' }`). */
function folderWith(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'import-cycles-'));
  temps.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

/** The library folders the rule covers: `session*\/src` and `tools/src`. */
function librarySources(root: string): string[] {
  const packages = [...workspacePackages(root).values()].filter((pkg) =>
    /^(session\d\d-[\w-]+|tools)$/.test(path.basename(pkg.dir)),
  );
  return packages.flatMap((pkg) => sourceFilesUnder(path.join(pkg.dir, 'src')));
}

describe('import cycles', () => {
  it('the walker finds runtime, type-only, cross-package and self cycles, and not a chain', () => {
    const root = folderWith({
      'session01-a/package.json': JSON.stringify({ name: '@x/a', exports: { '.': './src/a.ts' } }),
      'session01-a/src/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'session01-a/src/b.ts':
        "// import './c.ts' in a comment is no import\nimport { a } from './a.ts';\nexport const b = () => a;\n",
      'session01-a/src/c.ts': "import type { D } from './d.ts';\nexport interface C { d?: D }\n",
      'session01-a/src/d.ts': "export type { C as D } from './c.ts';\n",
      'session01-a/src/e.ts': "import './e.ts';\n",
      'session01-a/src/chain.ts': "import { b } from './b.ts';\nexport const f = b;\n",
      'session02-b/package.json': JSON.stringify({
        name: '@x/b',
        exports: { '.': './src/index.ts' },
      }),
      'session02-b/src/index.ts': "import { q } from '@x/c/sub';\nexport const p = q;\n",
      'session03-c/package.json': JSON.stringify({
        name: '@x/c',
        exports: { './sub': { default: './src/sub.ts' } },
      }),
      'session03-c/src/sub.ts': "export { p as q } from '@x/b';\n",
    });
    const cycles = findCycles(importGraph(librarySources(root), workspacePackages(root))).map(
      (cycle) => formatCycle(cycle, root),
    );
    expect(cycles).toHaveLength(4);
    expect(cycles).toContain(
      "session01-a/src/a.ts:1 imports './b.ts'\n  → session01-a/src/b.ts:2 imports './a.ts'",
    );
    expect(cycles).toContain(
      "session01-a/src/c.ts:1 imports './d.ts' (type only)\n  → session01-a/src/d.ts:1 imports './c.ts' (type only)",
    );
    expect(cycles).toContain("session01-a/src/e.ts:1 imports './e.ts'");
    expect(cycles).toContain(
      "session02-b/src/index.ts:1 imports '@x/c/sub'\n  → session03-c/src/sub.ts:1 imports '@x/b'",
    );
    expect(cycles.join('\n')).not.toContain('chain.ts');
  });

  it('no src/ of any package (sessions and tools) has an import cycle', () => {
    const files = librarySources(REPO_ROOT);
    expect(files.length, 'the walker must find the library sources').toBeGreaterThan(50);
    const cycles = findCycles(importGraph(files, workspacePackages(REPO_ROOT)));
    expect(
      cycles.map((cycle) => formatCycle(cycle, REPO_ROOT)),
      '🚨 import cycles: make one side depend on a small interface, or move the shared part into a module both import',
    ).toEqual([]);
  });
});
