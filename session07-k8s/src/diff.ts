/**
 * What an overlay changes: a structural diff of two renders, object by object and field by
 * field, instead of a line diff of YAML. Lists of named items (containers, env, ports) are
 * compared by name; generated names (`imgq-worker-5t8g9k2m7h`) are compared without their
 * hash; Secret values are never shown.
 */
import { Chalk } from 'chalk';
import {
  describeRef,
  type FieldPath,
  formatPath,
  isRecord,
  type ManifestObject,
  refOf,
} from './manifest.ts';

/** One field that differs. */
export interface FieldChange {
  change: 'added' | 'removed' | 'changed';
  path: string;
  from?: unknown;
  to?: unknown;
}

/** One object that differs. */
export interface ObjectDiff {
  /** `Deployment imgq/imgq-worker` (generated names without their hash). */
  object: string;
  change: 'added' | 'removed' | 'changed';
  fields: FieldChange[];
}

const HASH = /-[a-z0-9]{10}$/;
const GENERATED = new Set(['ConfigMap', 'Secret']);

function keyOf(object: ManifestObject): string {
  const ref = refOf(object);
  return describeRef({
    ...ref,
    name: GENERATED.has(ref.kind) ? ref.name.replace(HASH, '') : ref.name,
  });
}

/** Replaces every generated name in string values by `<name>-<hash>`, so that only real changes remain. */
function normalise(value: unknown, generated: ReadonlySet<string>): unknown {
  if (typeof value === 'string')
    return generated.has(value) ? value.replace(HASH, '-<hash>') : value;
  if (Array.isArray(value)) return value.map((v) => normalise(v, generated));
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, generated)]));
  return value;
}

/**
 * The differences from render `before` to render `after`.
 * @example diffRenders(dev.objects, prod.objects) // [{ object: 'Deployment imgq/imgq-worker', change: 'changed', fields: [...] }, ...]
 */
export function diffRenders(
  before: readonly ManifestObject[],
  after: readonly ManifestObject[],
): ObjectDiff[] {
  const generated = new Set(
    [...before, ...after]
      .filter((o) => GENERATED.has(refOf(o).kind) && HASH.test(refOf(o).name))
      .map((o) => refOf(o).name),
  );
  const left = new Map(before.map((o) => [keyOf(o), normalise(o, generated) as ManifestObject]));
  const right = new Map(after.map((o) => [keyOf(o), normalise(o, generated) as ManifestObject]));
  const diffs: ObjectDiff[] = [];
  for (const [key, object] of left) {
    const other = right.get(key);
    if (!other) {
      diffs.push({ object: key, change: 'removed', fields: [] });
      continue;
    }
    const secret = refOf(object).kind === 'Secret';
    const fields: FieldChange[] = [];
    compare(object, other, [], fields, secret);
    if (fields.length > 0) diffs.push({ object: key, change: 'changed', fields });
  }
  for (const key of right.keys())
    if (!left.has(key)) diffs.push({ object: key, change: 'added', fields: [] });
  return diffs;
}

function compare(
  a: unknown,
  b: unknown,
  path: (string | number)[],
  out: FieldChange[],
  secret: boolean,
): void {
  const hide = (v: unknown) =>
    secret && (path[0] === 'data' || path[0] === 'stringData') ? '(secret)' : v;
  if (isRecord(a) && isRecord(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const p = [...path, key];
      if (!(key in b)) out.push({ change: 'removed', path: formatPath(p), from: hide(a[key]) });
      else if (!(key in a)) out.push({ change: 'added', path: formatPath(p), to: hide(b[key]) });
      else compare(a[key], b[key], p, out, secret);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && named(a) && named(b)) {
    const byName = (list: unknown[]) =>
      new Map(list.map((item) => [(item as { name: string }).name, item]));
    const left = byName(a);
    const right = byName(b);
    for (const name of new Set([...left.keys(), ...right.keys()])) {
      const p = [...path, `[name=${name}]`];
      if (!right.has(name))
        out.push({ change: 'removed', path: itemPath(p), from: left.get(name) });
      else if (!left.has(name))
        out.push({ change: 'added', path: itemPath(p), to: right.get(name) });
      else compare(left.get(name), right.get(name), p, out, secret);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (const [i, item] of a.entries()) compare(item, b[i], [...path, i], out, secret);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b))
    out.push({ change: 'changed', path: itemPath(path), from: hide(a), to: hide(b) });
}

function named(list: unknown[]): boolean {
  return list.length > 0 && list.every((item) => isRecord(item) && typeof item.name === 'string');
}

/** `spec.containers[name=worker].image` */
function itemPath(path: FieldPath): string {
  return formatPath(path.map((s) => s))
    .replace(/\["\[name=([^\]]+)\]"\]/g, '[$1]')
    .replace(/\.\[name=([^\]]+)\]/g, '[$1]');
}

/** Options of {@link formatDiff}. */
export interface DiffFormatOptions {
  /** Names of the two sides. @default ['before', 'after'] */
  labels?: [string, string];
  /** ANSI colours. @default false */
  color?: boolean;
}

/** The diff as text: `~` changed, `+` only in the second render, `-` only in the first. */
export function formatDiff(diffs: readonly ObjectDiff[], options: DiffFormatOptions = {}): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const [from, to] = options.labels ?? ['before', 'after'];
  if (diffs.length === 0) return `${from} and ${to} render the same objects.\n`;
  const lines: string[] = [];
  for (const diff of diffs) {
    if (diff.change === 'added') lines.push(c.green(`+ ${diff.object}  (only in ${to})`));
    else if (diff.change === 'removed') lines.push(c.red(`- ${diff.object}  (only in ${from})`));
    else {
      lines.push(c.yellow(`~ ${diff.object}`));
      for (const f of diff.fields) {
        if (f.change === 'added') lines.push(c.green(`    + ${f.path}: ${show(f.to)}`));
        else if (f.change === 'removed') lines.push(c.red(`    - ${f.path}: ${show(f.from)}`));
        else lines.push(`    ${f.path}: ${c.red(show(f.from))} → ${c.green(show(f.to))}`);
      }
    }
  }
  const changed = diffs.filter((d) => d.change === 'changed').length;
  const added = diffs.filter((d) => d.change === 'added').length;
  const removed = diffs.filter((d) => d.change === 'removed').length;
  lines.push(
    '',
    `${from} → ${to}: ${changed} object(s) changed, ${added} only in ${to}, ${removed} only in ${from}.`,
  );
  return `${lines.join('\n')}\n`;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 90 ? `${text.slice(0, 87)}...` : text;
}
