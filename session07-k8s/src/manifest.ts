/**
 * The shapes the validator works on: a rendered Kubernetes object as plain JSON, the path to a
 * field inside it, and small readers that never throw on a malformed object (the schema stage
 * reports malformed objects; rules must still run on what is there).
 */

/** A Kubernetes object as rendered (plain JSON from YAML). */
export interface ManifestObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: unknown;
  [field: string]: unknown;
}

/** A path to a field: keys and array indices, e.g. `['spec', 'template', 'spec', 'containers', 0]`. */
export type FieldPath = readonly (string | number)[];

/** Identity of an object in messages: `Deployment imgq/imgq-worker`. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Empty for cluster-scoped objects and objects without a namespace. */
  namespace: string;
}

/** Kinds that are not namespaced (the rest are): a Namespace has no namespace of its own. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'CSIDriver',
  'VolumeAttachment',
]);

/** Whether `value` is a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path`, or `undefined` when any step is missing or of the wrong type. */
export function getAt(root: unknown, path: FieldPath): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (typeof key === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[key];
    } else {
      if (!isRecord(current)) return undefined;
      current = current[key];
    }
  }
  return current;
}

/** `getAt` for a record: `{}` when missing. */
export function recordAt(root: unknown, path: FieldPath): Record<string, unknown> {
  const value = getAt(root, path);
  return isRecord(value) ? value : {};
}

/** `getAt` for an array of records: `[]` when missing; non-record items are skipped. */
export function recordsAt(root: unknown, path: FieldPath): Record<string, unknown>[] {
  const value = getAt(root, path);
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** `getAt` for a string map (labels, matchLabels, ConfigMap data): non-string values dropped. */
export function stringMapAt(root: unknown, path: FieldPath): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(recordAt(root, path))) {
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/** A string field, or `''`. */
export function stringAt(root: unknown, path: FieldPath): string {
  const value = getAt(root, path);
  return typeof value === 'string' ? value : '';
}

/** The identity of an object; missing parts are `''`. */
export function refOf(object: ManifestObject): ObjectRef {
  return {
    apiVersion: typeof object.apiVersion === 'string' ? object.apiVersion : '',
    kind: typeof object.kind === 'string' ? object.kind : '',
    name: stringAt(object, ['metadata', 'name']),
    namespace: stringAt(object, ['metadata', 'namespace']),
  };
}

/**
 * `Deployment imgq/imgq-worker` (`Namespace imgq` for cluster-scoped objects).
 * @example describeRef({ kind: 'Service', name: 'redis', namespace: 'imgq', apiVersion: 'v1' }) // 'Service imgq/redis'
 */
export function describeRef(ref: ObjectRef): string {
  const name = ref.name || '(no name)';
  return `${ref.kind || '(no kind)'} ${ref.namespace ? `${ref.namespace}/` : ''}${name}`;
}

/**
 * A path as people write it: `spec.template.spec.containers[0].image`.
 * @example formatPath(['spec', 'containers', 0, 'image']) // 'spec.containers[0].image'
 */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}
