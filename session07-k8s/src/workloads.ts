/**
 * Pods as they appear in manifests: every object that makes pods (Deployment, StatefulSet,
 * DaemonSet, ReplicaSet, Job, CronJob, a bare Pod) has a pod template somewhere in it. Rules
 * about containers, probes and security walk these templates, wherever they sit.
 */
import {
  type FieldPath,
  getAt,
  isRecord,
  type ManifestObject,
  recordAt,
  recordsAt,
  refOf,
  stringMapAt,
} from './manifest.ts';

/** An object that makes pods, and where its pod template is. */
export interface Workload {
  object: ManifestObject;
  kind: string;
  name: string;
  namespace: string;
  /** Path of the pod template (`spec.template`; `[]` for a bare Pod). */
  templatePath: FieldPath;
  /** Path of the pod spec (`spec.template.spec`). */
  podSpecPath: FieldPath;
  podSpec: Record<string, unknown>;
  /** The pod template's labels. */
  labels: Record<string, string>;
  /** Pods meant to run until stopped (not Jobs): they need liveness and readiness probes. */
  longRunning: boolean;
}

/** One container of a workload's pod template. */
export interface ContainerRef {
  workload: Workload;
  container: Record<string, unknown>;
  name: string;
  /** Path of the container inside the object. */
  path: FieldPath;
  /** An init container (runs to completion before the others). */
  init: boolean;
}

const TEMPLATE_PATHS: Record<string, FieldPath> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Pod: [],
};

/** Kinds whose pods run to completion. */
const RUN_TO_COMPLETION = new Set(['Job', 'CronJob']);

/** Every object of `objects` that makes pods. */
export function workloadsOf(objects: readonly ManifestObject[]): Workload[] {
  const workloads: Workload[] = [];
  for (const object of objects) {
    const ref = refOf(object);
    const templatePath = TEMPLATE_PATHS[ref.kind];
    if (!templatePath) continue;
    const podSpecPath = [...templatePath, 'spec'];
    const restartPolicy = getAt(object, [...podSpecPath, 'restartPolicy']);
    workloads.push({
      object,
      kind: ref.kind,
      name: ref.name,
      namespace: ref.namespace,
      templatePath,
      podSpecPath,
      podSpec: recordAt(object, podSpecPath),
      labels: stringMapAt(object, [...templatePath, 'metadata', 'labels']),
      longRunning:
        !RUN_TO_COMPLETION.has(ref.kind) &&
        !(ref.kind === 'Pod' && restartPolicy && restartPolicy !== 'Always'),
    });
  }
  return workloads;
}

/** The containers (and, with `init`, init containers) of a workload. */
export function containersOf(workload: Workload, options: { init?: boolean } = {}): ContainerRef[] {
  const lists = options.init === false ? ['containers'] : ['containers', 'initContainers'];
  const out: ContainerRef[] = [];
  for (const list of lists) {
    const items = getAt(workload.podSpec, [list]);
    if (!Array.isArray(items)) continue;
    items.forEach((container, index) => {
      if (!isRecord(container)) return;
      out.push({
        workload,
        container,
        name: typeof container.name === 'string' ? container.name : `#${index}`,
        path: [...workload.podSpecPath, list, index],
        init: list === 'initContainers',
      });
    });
  }
  return out;
}

/** One environment variable of a container, in the order the kubelet defines them. */
export interface EnvEntry {
  name: string;
  /** The value when it is known from the render (`value:`, or a ConfigMap key); else `undefined`. */
  value: string | undefined;
  /** `envFrom` variables are defined first, then `env` in order. */
  from: 'envFrom' | 'env';
  /** Index in `env` (or in `envFrom`). */
  index: number;
}

/**
 * A container's environment as the kubelet builds it: `envFrom` sources first (ConfigMap and
 * Secret keys, with their prefix), then `env` in order; a later definition of a name wins.
 * Values come from the rendered ConfigMaps; Secret values stay unknown.
 */
export function containerEnv(ref: ContainerRef, objects: readonly ManifestObject[]): EnvEntry[] {
  const entries: EnvEntry[] = [];
  recordsAt(ref.container, ['envFrom']).forEach((source, index) => {
    const prefix = typeof source.prefix === 'string' ? source.prefix : '';
    for (const kind of ['ConfigMap', 'Secret'] as const) {
      const name = getAt(source, [kind === 'ConfigMap' ? 'configMapRef' : 'secretRef', 'name']);
      if (typeof name !== 'string') continue;
      const found = findObject(objects, kind, name, ref.workload.namespace);
      for (const key of Object.keys(recordAt(found, ['data']))) {
        const value = kind === 'ConfigMap' ? getAt(found, ['data', key]) : undefined;
        entries.push({
          name: `${prefix}${key}`,
          value: typeof value === 'string' ? value : undefined,
          from: 'envFrom',
          index,
        });
      }
    }
  });
  recordsAt(ref.container, ['env']).forEach((variable, index) => {
    if (typeof variable.name !== 'string') return;
    let value = typeof variable.value === 'string' ? variable.value : undefined;
    const keyRef = recordAt(variable, ['valueFrom', 'configMapKeyRef']);
    if (typeof keyRef.name === 'string' && typeof keyRef.key === 'string') {
      const data = getAt(findObject(objects, 'ConfigMap', keyRef.name, ref.workload.namespace), [
        'data',
        keyRef.key,
      ]);
      value = typeof data === 'string' ? data : undefined;
    }
    entries.push({ name: variable.name, value, from: 'env', index });
  });
  return entries;
}

/** The last definition of `name` in an environment (the one that wins), or `undefined`. */
export function envValue(entries: readonly EnvEntry[], name: string): EnvEntry | undefined {
  return entries.filter((e) => e.name === name).pop();
}

/** An object of the render by kind, name and namespace (`''` matches objects without one). */
export function findObject(
  objects: readonly ManifestObject[],
  kind: string,
  name: string,
  namespace: string,
): ManifestObject | undefined {
  return objects.find((o) => {
    const ref = refOf(o);
    return ref.kind === kind && ref.name === name && ref.namespace === namespace;
  });
}
