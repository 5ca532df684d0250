/**
 * Strict fields: every key of an object must be a field its type declares. Kubernetes drops
 * unknown fields (the API server at most warns), so `replica: 3` deploys one pod and nobody
 * notices; this check makes it an error and suggests the field that was meant.
 */
import type { FieldType } from './declarations.ts';
import { type FieldPath, formatPath, isRecord } from './manifest.ts';
import type { SchemaProblem } from './schema.ts';

/**
 * Every key of `value` (recursively) that `type` does not declare.
 * @example unknownFields({ spec: { replica: 3 } }, deploymentFields) // [{ path: ['spec', 'replica'], ... }]
 */
export function unknownFields(
  value: unknown,
  type: FieldType,
  path: FieldPath = [],
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  walk(value, type, [...path], problems);
  return problems;
}

function walk(
  value: unknown,
  type: FieldType,
  path: (string | number)[],
  out: SchemaProblem[],
): void {
  if (type.kind === 'object' && isRecord(value)) {
    for (const [key, child] of Object.entries(value)) {
      const fieldType = type.fields.get(key);
      if (fieldType) walk(child, fieldType, [...path, key], out);
      else out.push(unknownField(key, [...path, key], type));
    }
  } else if (type.kind === 'map' && isRecord(value)) {
    for (const [key, child] of Object.entries(value)) walk(child, type.value, [...path, key], out);
  } else if (type.kind === 'array' && Array.isArray(value)) {
    for (const [index, item] of value.entries()) walk(item, type.item, [...path, index], out);
  }
}

function unknownField(
  key: string,
  path: FieldPath,
  type: FieldType & { kind: 'object' },
): SchemaProblem {
  const known = [...type.fields.keys()];
  const near = closest(key, known);
  const where = path.length > 1 ? `\`${formatPath(path.slice(0, -1))}\`` : 'the object';
  return {
    path,
    message: `unknown field \`${key}\` in ${where} (${type.name.replace(/^I/, '')})`,
    fix:
      (near
        ? `Did you mean \`${near}\`? `
        : `Known fields here: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}. `) +
      'Kubernetes ignores unknown fields, so this setting would silently do nothing.',
  };
}

/** The known field closest to a misspelt one (edit distance ≤ 2, or the same ignoring case). */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate.toLowerCase() === word.toLowerCase()) return candidate;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = word.length <= 4 ? 1 : 2;
  return bestDistance <= limit ? best : null;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
