/**
 * A small module-graph walker for the layering tests: the static `import … from`, `import '…'`
 * and `export … from` statements of TypeScript/JavaScript files (parsed with the TypeScript
 * compiler the repository already uses for `tsc`, so comments and strings never confuse it),
 * resolved to files — relative paths, and workspace packages by name through the `exports` of
 * their package.json — and the cycles in the resulting graph.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** One static import of one file. */
export interface ImportEdge {
  /** Importing file (absolute). */
  from: string;
  /** Imported file (absolute). */
  to: string;
  /** The specifier as written. */
  specifier: string;
  /** 1-based line of the statement. */
  line: number;
  /** `import type` / `export type`: erased at runtime, still a dependency for the reader. */
  typeOnly: boolean;
}

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.mjs', '.js'];

/** Every source file under `dir` (recursively), skipping `node_modules` and dot-folders. */
export function sourceFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sourceFilesUnder(full));
    else if (SOURCE_EXTENSIONS.includes(path.extname(entry.name))) found.push(full);
  }
  return found.sort();
}

/** The static imports and re-exports of one file, as written, with their line. */
export function importsOf(
  file: string,
): Array<{ specifier: string; line: number; typeOnly: boolean }> {
  const text = readFileSync(file, 'utf8');
  const kind = /\.m?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  const found: Array<{ specifier: string; line: number; typeOnly: boolean }> = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteral(specifier)) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ specifier: specifier.text, line, typeOnly });
  };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      add(statement, statement.moduleSpecifier, statement.importClause?.isTypeOnly ?? false);
    } else if (ts.isExportDeclaration(statement)) {
      add(statement, statement.moduleSpecifier, statement.isTypeOnly);
    }
  }
  return found;
}

/** A workspace package: its folder and its package.json `exports`. */
export interface WorkspacePackage {
  name: string;
  dir: string;
  exports: unknown;
}

/** The workspace packages directly under `root` (folders with a package.json that has a name). */
export function workspacePackages(root: string): Map<string, WorkspacePackage> {
  const packages = new Map<string, WorkspacePackage>();
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const manifest = path.join(root, entry.name, 'package.json');
    if (!entry.isDirectory() || !existsSync(manifest)) continue;
    const json = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; exports?: unknown };
    if (json.name) {
      packages.set(json.name, {
        name: json.name,
        dir: path.join(root, entry.name),
        exports: json.exports,
      });
    }
  }
  return packages;
}

/** The file an `exports` entry names: a string, or the `default` (else first) of its conditions. */
function exportTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object') {
    const conditions = entry as Record<string, unknown>;
    return exportTarget(conditions.default ?? Object.values(conditions)[0]);
  }
  return undefined;
}

function asFile(candidate: string): string | undefined {
  for (const attempt of [candidate, `${candidate}.ts`, path.join(candidate, 'index.ts')]) {
    if (existsSync(attempt) && statSync(attempt).isFile()) return attempt;
  }
  return undefined;
}

/**
 * The file `specifier` names when imported from `fromFile`: relative paths, and workspace
 * packages by name (`@workbook/session03/testing`). `undefined` for anything else
 * (node built-ins, npm packages, `#ex/*` exercise imports).
 */
export function resolveImport(
  fromFile: string,
  specifier: string,
  packages: ReadonlyMap<string, WorkspacePackage>,
): string | undefined {
  if (specifier.startsWith('.')) return asFile(path.resolve(path.dirname(fromFile), specifier));
  for (const pkg of packages.values()) {
    if (specifier !== pkg.name && !specifier.startsWith(`${pkg.name}/`)) continue;
    const subpath = `.${specifier.slice(pkg.name.length)}`;
    const exportsMap = typeof pkg.exports === 'string' ? { '.': pkg.exports } : (pkg.exports ?? {});
    const target = exportTarget((exportsMap as Record<string, unknown>)[subpath]);
    return target ? asFile(path.resolve(pkg.dir, target)) : undefined;
  }
  return undefined;
}

/** Every import edge out of `files` that resolves to a file. */
export function importGraph(
  files: readonly string[],
  packages: ReadonlyMap<string, WorkspacePackage>,
): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const from of files) {
    for (const { specifier, line, typeOnly } of importsOf(from)) {
      const to = resolveImport(from, specifier, packages);
      if (to) edges.push({ from, to, specifier, line, typeOnly });
    }
  }
  return edges;
}

/**
 * The import cycles of a graph: one concrete cycle (as its edges, in order) per strongly
 * connected group of files, found with Tarjan's algorithm. A file importing itself counts.
 */
export function findCycles(edges: readonly ImportEdge[]): ImportEdge[][] {
  const out = new Map<string, ImportEdge[]>();
  for (const edge of edges) {
    if (!out.has(edge.from)) out.set(edge.from, []);
    out.get(edge.from)!.push(edge);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const { to } of out.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      groups.push(group);
    }
  };
  for (const node of [...out.keys()].sort()) if (!index.has(node)) visit(node);

  const cycles: ImportEdge[][] = [];
  for (const group of groups) {
    const members = new Set(group);
    const start = [...group].sort()[0]!;
    const selfLoop = (out.get(start) ?? []).find((edge) => edge.to === start);
    if (group.length === 1 && !selfLoop) continue;
    cycles.push(selfLoop ? [selfLoop] : cycleThrough(start, members, out));
  }
  return cycles;
}

/** A shortest cycle from `start` back to itself inside one strongly connected group (BFS). */
function cycleThrough(
  start: string,
  members: ReadonlySet<string>,
  out: ReadonlyMap<string, ImportEdge[]>,
): ImportEdge[] {
  const via = new Map<string, ImportEdge>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const edge of out.get(node) ?? []) {
      if (!members.has(edge.to)) continue;
      if (edge.to === start) {
        const path: ImportEdge[] = [edge];
        for (let at = node; at !== start; at = via.get(at)!.from) path.unshift(via.get(at)!);
        return path;
      }
      if (!via.has(edge.to)) {
        via.set(edge.to, edge);
        queue.push(edge.to);
      }
    }
  }
  throw new Error(`no cycle through ${start}: not a strongly connected group`);
}

/** One cycle as lines a reader can follow: `a.ts:12 imports './b.ts' (type only)`. */
export function formatCycle(cycle: readonly ImportEdge[], root: string): string {
  return cycle
    .map(
      (edge) =>
        `${path.relative(root, edge.from)}:${edge.line} imports '${edge.specifier}'` +
        (edge.typeOnly ? ' (type only)' : ''),
    )
    .join('\n  → ');
}
