/**
 * The fields each Kubernetes type has, read from the type declarations that kubernetes-models
 * generates from the Kubernetes OpenAPI schema (`apps/v1/DeploymentSpec.d.ts`, ...). The
 * models' JSON-schema validators accept unknown fields (so does the API server, which drops
 * them with at most a warning), so a misspelt `replica: 3` would pass; walking the declared
 * fields catches it. No hand-written list: every field comes from the generated declarations,
 * and a model package of custom resources (`@kubernetes-models/keda`) works the same way.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** What a field holds, as far as the unknown-field check needs to know. */
export type FieldType =
  | { kind: 'object'; name: string; fields: Map<string, FieldType> }
  | { kind: 'map'; value: FieldType }
  | { kind: 'array'; item: FieldType }
  | { kind: 'scalar' }
  | { kind: 'any' };

const SCALAR: FieldType = { kind: 'scalar' };
const ANY: FieldType = { kind: 'any' };

interface ParsedFile {
  imports: Map<string, string>;
  interfaces: Map<string, string>;
  aliases: Map<string, string>;
  exported: Map<string, string>;
}

const files = new Map<string, ParsedFile>();
const types = new Map<string, FieldType>();

/**
 * The field tree of the first interface declared in a kubernetes-models declaration file
 * (`.d.ts`; a `.js` path is mapped to its `.d.ts`). Results are cached per process.
 * @example fieldsFromDeclarations('/…/kubernetes-models/apps/v1/Deployment.d.ts')
 */
export function fieldsFromDeclarations(file: string): FieldType {
  // The real path: pnpm links packages, and their dependencies sit next to the real folder.
  const named = file.replace(/\.(?:m?js)$/, '.d.ts');
  const dts = existsSync(named) ? realpathSync(named) : named;
  const parsed = parseFile(dts);
  const first = parsed.interfaces.keys().next();
  if (first.done) return ANY;
  return resolveName(dts, first.value, 0);
}

function parseFile(file: string): ParsedFile {
  const cached = files.get(file);
  if (cached) return cached;
  const text = existsSync(file) ? readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '') : '';
  const parsed: ParsedFile = {
    imports: new Map(),
    interfaces: new Map(),
    aliases: new Map(),
    exported: new Map(),
  };
  for (const match of text.matchAll(/^import \{([^}]*)\} from "([^"]+)";/gm)) {
    for (const name of match[1]!.split(',')) {
      const clean = name.trim().replace(/^type\s+/, '');
      if (clean) parsed.imports.set(clean, match[2]!);
    }
  }
  for (const match of text.matchAll(
    /^export interface (\w+)(?: extends [^{]+)? \{\n([\s\S]*?)^\}/gm,
  )) {
    parsed.interfaces.set(match[1]!, match[2]!);
  }
  for (const match of text.matchAll(/^export type (\w+) = ([^;]+);/gm))
    parsed.aliases.set(match[1]!, match[2]!);
  for (const match of text.matchAll(/^export type \{([^}]*)\}/gm)) {
    for (const part of match[1]!.split(',')) {
      const [local, alias] = part.split(/\s+as\s+/).map((s) => s.trim());
      if (local && alias) parsed.exported.set(alias, local);
    }
  }
  files.set(file, parsed);
  return parsed;
}

function resolveName(file: string, name: string, depth: number): FieldType {
  if (depth > 50) return ANY;
  const parsed = parseFile(file);
  const local = parsed.exported.get(name) ?? name;
  const key = `${file}#${local}`;
  const cached = types.get(key);
  if (cached) return cached;
  const body = parsed.interfaces.get(local);
  if (body !== undefined) {
    // Registered before its fields are read: declarations refer to themselves (JSONSchemaProps).
    const object: FieldType = { kind: 'object', name: local, fields: new Map() };
    types.set(key, object);
    const declared = properties(body);
    // `interface IFieldsV1 {}`: free-form data, every field allowed.
    if (declared.length === 0) {
      types.set(key, ANY);
      return ANY;
    }
    for (const [field, type] of declared)
      object.fields.set(field, parseType(file, type, depth + 1));
    return object;
  }
  const alias = parsed.aliases.get(local);
  if (alias !== undefined) {
    const type = parseType(file, alias, depth + 1);
    types.set(key, type);
    return type;
  }
  const from = parsed.imports.get(name);
  if (from) {
    const target = resolveImport(file, from);
    if (target) return resolveName(target, name, depth + 1);
  }
  return ANY;
}

/** `"name"?: Type;` pairs of an interface body (types may span lines: `{ [key: string]: X; }`). */
function properties(body: string): [string, string][] {
  const out: [string, string][] = [];
  const head = /^ {4}"([^"]+)"\??:\s*/gm;
  for (let found = head.exec(body); found; found = head.exec(body)) {
    let depth = 0;
    let j = head.lastIndex;
    for (; j < body.length; j++) {
      const c = body[j]!;
      if (c === '{' || c === '<' || c === '(' || c === '[') depth++;
      else if (c === '}' || c === '>' || c === ')' || c === ']') depth--;
      else if (c === ';' && depth === 0) break;
    }
    out.push([found[1]!, body.slice(head.lastIndex, j).trim()]);
    head.lastIndex = j + 1;
  }
  return out;
}

function parseType(file: string, raw: string, depth: number): FieldType {
  const type = raw.trim();
  const array = /^Array<([\s\S]+)>$/.exec(type);
  if (array) return { kind: 'array', item: parseType(file, array[1]!, depth) };
  const map = /^\{\s*\[key: string\]:\s*([\s\S]+?);?\s*\}$/.exec(type);
  if (map) return { kind: 'map', value: parseType(file, map[1]!, depth) };
  if (/^(?:string|number|boolean|null)$/.test(type) || /^"/.test(type) || /\["\w+"\]$/.test(type))
    return SCALAR;
  if (type.includes('|')) {
    const parts = splitTopLevel(type, '|').map((p) => parseType(file, p, depth));
    return parts.every((p) => p.kind === 'scalar') ? SCALAR : ANY;
  }
  if (/^\w+$/.test(type) && !/^(?:any|unknown|object)$/.test(type))
    return resolveName(file, type, depth);
  return ANY;
}

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ('{<(['.includes(c)) depth++;
    else if ('}>)]'.includes(c)) depth--;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Resolves an import of a declaration file: relative, or a package found like Node does. */
function resolveImport(fromFile: string, specifier: string): string | null {
  if (specifier.startsWith('.')) {
    const base = path.resolve(path.dirname(fromFile), specifier).replace(/\.js$/, '');
    return firstExisting([`${base}.d.ts`, path.join(base, 'index.d.ts')]);
  }
  const parts = specifier.split('/');
  const packageName = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const subpath = parts.slice(specifier.startsWith('@') ? 2 : 1).join('/');
  for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', packageName);
    if (existsSync(candidate)) {
      const base = path.join(candidate, subpath).replace(/\.js$/, '');
      return firstExisting([
        `${base}.d.ts`,
        path.join(base, 'index.d.ts'),
        path.join(candidate, 'dist', `${subpath}.d.ts`),
      ]);
    }
    if (path.dirname(dir) === dir) return null;
  }
}

function firstExisting(candidates: readonly string[]): string | null {
  return candidates.find((c) => existsSync(c)) ?? null;
}
