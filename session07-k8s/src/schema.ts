/**
 * Schema validation with kubernetes-models: each object is checked by the model class of its
 * `apiVersion` and `kind` (the JSON schema of the Kubernetes OpenAPI spec, compiled), and its
 * field tree (from the models' declarations) drives the unknown-field check. Custom resources
 * plug in the same way: pass a {@link KindSchema} built with {@link modelSchema} from another
 * kubernetes-models package (`@kubernetes-models/keda`), or write one by hand.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeValue } from '@workbook/session01';
import { type FieldType, fieldsFromDeclarations } from './declarations.ts';
import { type FieldPath, getAt, type ManifestObject } from './manifest.ts';

/** One schema problem of an object. */
export interface SchemaProblem {
  path: FieldPath;
  message: string;
  fix: string;
}

/** How to validate one `apiVersion` + `kind`. */
export interface KindSchema {
  apiVersion: string;
  kind: string;
  /** The object's schema problems; empty when it is valid. */
  validate(object: ManifestObject): SchemaProblem[];
  /** The declared fields, for the unknown-field check; `null` skips that check. */
  fields(): FieldType | null;
}

/** A kubernetes-models class: `new Model(data).validate()` throws with ajv's `errors`. */
export interface ModelClass {
  new (data?: never): { validate(): void };
  apiVersion: string;
  kind: string;
}

/** One error of ajv (what kubernetes-models' validators report). */
interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/**
 * A {@link KindSchema} from a kubernetes-models class and, for the unknown-field check, the
 * module file the class comes from (its `.d.ts` sits next to it).
 * @param declarations path or URL of the model's `.js` or `.d.ts` file @default no unknown-field check
 * @example
 * import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
 * modelSchema(ScaledObject, import.meta.resolve('@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject'))
 */
export function modelSchema(model: ModelClass, declarations?: string | URL): KindSchema {
  const file = declarations === undefined ? null : toPath(declarations);
  let fields: FieldType | null | undefined;
  return {
    apiVersion: model.apiVersion,
    kind: model.kind,
    validate(object) {
      try {
        new model(object as never).validate();
        return [];
      } catch (error) {
        const errors = (error as { errors?: AjvError[] }).errors;
        if (!Array.isArray(errors))
          return [{ path: [], message: (error as Error).message, fix: 'Fix the object.' }];
        return explainErrors(errors, object);
      }
    },
    fields() {
      if (fields === undefined) fields = file ? fieldsFromDeclarations(file) : null;
      return fields;
    },
  };
}

function toPath(location: string | URL): string {
  if (location instanceof URL) return fileURLToPath(location);
  return location.startsWith('file:') ? fileURLToPath(location) : location;
}

const builtins = new Map<string, Promise<KindSchema | null>>();
let modelsDir: string | null | undefined;

/**
 * The schema of a built-in Kubernetes kind from kubernetes-models (`apps/v1` `Deployment` →
 * `kubernetes-models/apps/v1/Deployment`), or `null` when the package has no such model.
 */
export function builtinSchema(apiVersion: string, kind: string): Promise<KindSchema | null> {
  const key = `${apiVersion}/${kind}`;
  let found = builtins.get(key);
  if (!found) {
    found = loadBuiltin(apiVersion, kind);
    builtins.set(key, found);
  }
  return found;
}

async function loadBuiltin(apiVersion: string, kind: string): Promise<KindSchema | null> {
  // Only names a model file can have: an apiVersion from a manifest never walks the disk.
  if (
    !/^(?:[a-z0-9.-]+\/)?v\d+(?:(?:alpha|beta)\d+)?$/.test(apiVersion) ||
    !/^[A-Z][A-Za-z0-9]*$/.test(kind)
  ) {
    return null;
  }
  const dir = kubernetesModelsDir();
  if (!dir) return null;
  const file = path.join(dir, ...apiVersion.split('/'), `${kind}.js`);
  if (!existsSync(file)) return null;
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const model = module[kind] as ModelClass | undefined;
  return model ? modelSchema(model, file) : null;
}

/** The installed kubernetes-models package folder (real path), found like Node finds it. */
function kubernetesModelsDir(): string | null {
  if (modelsDir !== undefined) return modelsDir;
  modelsDir = null;
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', 'kubernetes-models');
    if (existsSync(candidate)) {
      modelsDir = realpathSync(candidate);
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  return modelsDir;
}

/** `/spec/replicas` (ajv's instancePath) → `['spec', 'replicas']` with array indices as numbers. */
function instancePath(pointer: string, object: unknown): (string | number)[] {
  const out: (string | number)[] = [];
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out.push(
      Array.isArray(getAt(object, out)) && /^\d+$/.test(segment) ? Number(segment) : segment,
    );
  }
  return out;
}

const QUANTITY_FIX =
  'Write a Kubernetes quantity: a number with an optional suffix and no spaces — CPU `250m` ' +
  '(a quarter of a core) or `2`, memory `256Mi` or `1Gi`.';

/**
 * Turns ajv's errors into one problem per field, in words: `oneOf` noise ("must match exactly
 * one schema") is folded into what the field accepts (a quantity, an integer or a string).
 */
export function explainErrors(errors: readonly AjvError[], object: unknown): SchemaProblem[] {
  const byPath = new Map<string, AjvError[]>();
  for (const error of errors) {
    const key =
      error.keyword === 'required'
        ? `${error.instancePath}/${String(error.params.missingProperty)}`
        : error.instancePath;
    byPath.set(key, [...(byPath.get(key) ?? []), error]);
  }
  const problems: SchemaProblem[] = [];
  for (const [pointer, group] of byPath) {
    const fieldPath = instancePath(pointer, object);
    const name = String(fieldPath[fieldPath.length - 1] ?? 'object');
    const value = getAt(object, fieldPath);
    const keywords = new Set(group.map((e) => e.keyword));
    const formats = group.filter((e) => e.keyword === 'format').map((e) => String(e.params.format));
    if (keywords.has('required')) {
      problems.push({
        path: fieldPath,
        message: `required field \`${name}\` is missing`,
        fix: `Add \`${name}:\` here; the API server refuses the object without it.`,
      });
    } else if (formats.includes('quantity')) {
      problems.push({
        path: fieldPath,
        message: `\`${name}\` must be a quantity, got ${describeValue(value)}`,
        fix: QUANTITY_FIX,
      });
    } else if (keywords.has('oneOf') || keywords.has('anyOf')) {
      const typesAllowed = [
        ...new Set(group.filter((e) => e.keyword === 'type').map((e) => String(e.params.type))),
      ];
      problems.push({
        path: fieldPath,
        message: `\`${name}\` must be ${typesAllowed.length ? typesAllowed.join(' or ') : 'something else'}, got ${describeValue(value)}`,
        fix: `Write \`${name}\` as ${typesAllowed.join(' or ') || 'the API reference says'} (a port name is a string, a number is unquoted).`,
      });
    } else if (keywords.has('type')) {
      const type = String(group.find((e) => e.keyword === 'type')!.params.type);
      problems.push({
        path: fieldPath,
        message: `\`${name}\` must be ${article(type)} ${type}, got ${describeValue(value)}`,
        fix: typeFix(name, type),
      });
    } else if (keywords.has('enum')) {
      const allowed =
        (group.find((e) => e.keyword === 'enum')!.params.allowedValues as unknown[]) ?? [];
      problems.push({
        path: fieldPath,
        message: `\`${name}\` must be one of ${allowed.map((v) => `\`${String(v)}\``).join(', ')}, got ${describeValue(value)}`,
        fix: `Use one of the allowed values (they are case-sensitive).`,
      });
    } else {
      const first = group[0]!;
      problems.push({
        path: fieldPath,
        message: `\`${name}\` ${first.message ?? first.keyword}${value === undefined ? '' : `, got ${describeValue(value)}`}`,
        fix: 'See the field in the Kubernetes API reference (https://kubernetes.io/docs/reference/kubernetes-api/).',
      });
    }
  }
  return problems;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? 'an' : 'a';
}

function typeFix(name: string, type: string): string {
  switch (type) {
    case 'integer':
    case 'number':
      return `Write a number without quotes: \`${name}: 3\`, not \`${name}: "3"\` or \`${name}: three\`.`;
    case 'string':
      return `Quote the value: \`${name}: "8080"\` (YAML reads \`yes\`, \`1.10\` and \`8080\` as other types).`;
    case 'boolean':
      return `Write \`${name}: true\` or \`${name}: false\`, without quotes.`;
    case 'array':
      return `Make \`${name}\` a list: each item on its own line starting with \`- \`.`;
    case 'object':
      return `Make \`${name}\` a map: indented \`key: value\` lines under it.`;
    default:
      return `Write \`${name}\` as ${article(type)} ${type}.`;
  }
}
