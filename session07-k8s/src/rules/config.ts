/**
 * Rules about what pods refer to: ConfigMaps, Secrets, volumes and claims must exist in the
 * render; `$(VAR)` may only use variables defined before it; passwords stay out of
 * ConfigMaps; a ReadWriteOnce volume cannot follow pods spread over several nodes.
 */
import { getAt, type ManifestObject, recordsAt, refOf, stringMapAt } from '../manifest.ts';
import { matchesSelector, toLabelSelector } from '../selectors.ts';
import {
  type ContainerRef,
  containerEnv,
  containersOf,
  findObject,
  type Workload,
} from '../workloads.ts';
import type { Rule, RuleContext, Violation } from './rule.ts';

interface Reference {
  kind: 'ConfigMap' | 'Secret';
  name: unknown;
  key?: unknown;
  optional: boolean;
  /** Path of the `name` field inside the object. */
  path: (string | number)[];
}

function referencesOf(w: Workload): Reference[] {
  const refs: Reference[] = [];
  for (const c of containersOf(w)) {
    recordsAt(c.container, ['env']).forEach((env, i) => {
      for (const [field, kind] of [
        ['configMapKeyRef', 'ConfigMap'],
        ['secretKeyRef', 'Secret'],
      ] as const) {
        const ref = getAt(env, ['valueFrom', field]);
        if (ref === undefined) continue;
        const path = [...c.path, 'env', i, 'valueFrom', field, 'name'];
        refs.push({
          kind,
          name: getAt(ref, ['name']),
          key: getAt(ref, ['key']),
          optional: getAt(ref, ['optional']) === true,
          path,
        });
      }
    });
    recordsAt(c.container, ['envFrom']).forEach((source, i) => {
      for (const [field, kind] of [
        ['configMapRef', 'ConfigMap'],
        ['secretRef', 'Secret'],
      ] as const) {
        const ref = getAt(source, [field]);
        if (ref === undefined) continue;
        refs.push({
          kind,
          name: getAt(ref, ['name']),
          optional: getAt(ref, ['optional']) === true,
          path: [...c.path, 'envFrom', i, field, 'name'],
        });
      }
    });
  }
  recordsAt(w.podSpec, ['volumes']).forEach((volume, i) => {
    const base = [...w.podSpecPath, 'volumes', i];
    if (volume.configMap !== undefined) {
      refs.push({
        kind: 'ConfigMap',
        name: getAt(volume, ['configMap', 'name']),
        optional: getAt(volume, ['configMap', 'optional']) === true,
        path: [...base, 'configMap', 'name'],
      });
    }
    if (volume.secret !== undefined) {
      refs.push({
        kind: 'Secret',
        name: getAt(volume, ['secret', 'secretName']),
        optional: getAt(volume, ['secret', 'optional']) === true,
        path: [...base, 'secret', 'secretName'],
      });
    }
    recordsAt(volume, ['projected', 'sources']).forEach((source, j) => {
      for (const [field, kind] of [
        ['configMap', 'ConfigMap'],
        ['secret', 'Secret'],
      ] as const) {
        if (source[field] === undefined) continue;
        refs.push({
          kind,
          name: getAt(source, [field, 'name']),
          optional: getAt(source, [field, 'optional']) === true,
          path: [...base, 'projected', 'sources', j, field, 'name'],
        });
      }
    });
  });
  return refs;
}

/** Every ConfigMap and Secret a pod uses is in the render, with the keys it names. */
export const configRefExists: Rule = {
  id: 'config-ref-exists',
  title: 'Every ConfigMap and Secret reference exists in the render (with its key)',
  severity: 'error',
  description:
    'A pod that refers to a missing ConfigMap or Secret (or key) never starts: it waits in CreateContainerConfigError.',
  *check(context) {
    for (const w of context.workloads()) {
      for (const ref of referencesOf(w)) {
        if (ref.optional) continue;
        const name = String(ref.name ?? '');
        const found = context.find(ref.kind, name, w.namespace);
        if (!found) {
          const known = context.ofKind(ref.kind).map((o) => refOf(o).name);
          yield {
            object: w.object,
            path: ref.path,
            message: `${w.kind} \`${w.name}\` uses ${ref.kind} \`${name}\`, which is not in the render${known.length ? ` (there is: ${known.join(', ')})` : ''}`,
            fix: `Add the ${ref.kind} (a ${ref.kind === 'ConfigMap' ? 'configMapGenerator' : 'secretGenerator'} in the kustomization) or fix the name; generated names get a hash suffix that Kustomize adds to references by itself.`,
          };
          continue;
        }
        if (ref.key === undefined) continue;
        const keys = [
          ...Object.keys(stringMapAt(found, ['data'])),
          ...Object.keys(stringMapAt(found, ['binaryData'])),
          ...Object.keys(stringMapAt(found, ['stringData'])),
        ];
        if (keys.includes(String(ref.key))) continue;
        yield {
          object: w.object,
          path: [...ref.path.slice(0, -1), 'key'],
          message: `${w.kind} \`${w.name}\` uses key \`${String(ref.key)}\` of ${ref.kind} \`${name}\`, which has only ${keys.join(', ') || 'no keys'}`,
          fix: `Use one of its keys, or add \`${String(ref.key)}\` to the ${ref.kind}.`,
        };
      }
    }
  },
};

const REFERENCE = /(\$+)\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g;

/** `$(NAME)` references in `text` that Kubernetes expands (`$$(NAME)` is an escape). */
export function variableReferences(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(REFERENCE))
    if (match[1]!.length % 2 === 1) names.push(match[2]!);
  return names;
}

function interpolationViolations(c: ContainerRef, objects: RuleContext['objects']): Violation[] {
  const out: Violation[] = [];
  const env = recordsAt(c.container, ['env']);
  // envFrom variables are defined before env. Their names are known when every source is in
  // the render; otherwise a reference to an unknown name gets the benefit of the doubt.
  const defined = new Set(
    containerEnv(c, objects)
      .filter((e) => e.from === 'envFrom')
      .map((e) => e.name),
  );
  const hasEnvFrom = recordsAt(c.container, ['envFrom']).some((source) => {
    const kind = source.configMapRef !== undefined ? 'ConfigMap' : 'Secret';
    const name = getAt(source, [kind === 'ConfigMap' ? 'configMapRef' : 'secretRef', 'name']);
    return !findObject(objects, kind, String(name), c.workload.namespace);
  });
  const all = new Set(env.map((e) => String(e.name)));
  env.forEach((variable, i) => {
    const value = variable.value;
    if (typeof value === 'string') {
      for (const name of variableReferences(value)) {
        if (defined.has(name)) continue;
        const later = all.has(name);
        if (!later && hasEnvFrom) continue;
        out.push({
          object: c.workload.object,
          path: [...c.path, 'env', i, 'value'],
          message: `${String(variable.name)} uses $(${name}), which is ${later ? 'defined after it' : 'not defined in this container'}: Kubernetes leaves the text "$(${name})" as it is`,
          fix: later
            ? `Move ${name} above ${String(variable.name)} in env: only variables defined earlier are expanded.`
            : `Define ${name} earlier in env (or in envFrom).`,
        });
      }
    }
    defined.add(String(variable.name));
  });
  for (const field of ['command', 'args']) {
    const items = getAt(c.container, [field]);
    if (!Array.isArray(items)) continue;
    items.forEach((item, i) => {
      for (const name of typeof item === 'string' ? variableReferences(item) : []) {
        if (defined.has(name) || hasEnvFrom) continue;
        out.push({
          object: c.workload.object,
          path: [...c.path, field, i],
          message: `${field} of container \`${c.name}\` uses $(${name}), which is not defined in its env: it is passed as the literal text "$(${name})"`,
          fix: `Add ${name} to the container's env.`,
        });
      }
    });
  }
  return out;
}

/** `$(VAR)` only refers to variables defined before it. */
export const envInterpolationOrder: Rule = {
  id: 'env-interpolation-order',
  title: '$(VAR) in env, command and args refers to variables defined before it',
  severity: 'error',
  description:
    'The kubelet expands $(VAR) only from variables defined earlier (envFrom first, then env in order). Otherwise the text stays as is: REDIS_URL would contain "$(REDIS_PASSWORD)".',
  *check(context) {
    for (const w of context.workloads())
      for (const c of containersOf(w)) yield* interpolationViolations(c, context.objects);
  },
};

const SECRET_KEY = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
const URL_WITH_PASSWORD = /:\/\/[^/\s:@]*:(?!\$\()[^@\s/]+@/;

/** ConfigMaps hold no passwords. */
export const noSecretsInConfigMap: Rule = {
  id: 'no-secrets-in-configmap',
  title: 'No passwords or tokens in ConfigMaps',
  severity: 'error',
  description:
    'ConfigMaps are readable by anyone who may read the namespace and show up in `kubectl describe`; Secrets have their own access rules and can be encrypted at rest.',
  *check(context) {
    for (const map of context.ofKind('ConfigMap')) {
      for (const [key, value] of Object.entries(stringMapAt(map, ['data']))) {
        if (!SECRET_KEY.test(key) && !URL_WITH_PASSWORD.test(value)) continue;
        yield {
          object: map,
          path: ['data', key],
          message: `ConfigMap \`${refOf(map).name}\` holds \`${key}\`, which ${SECRET_KEY.test(key) ? 'looks like a secret' : 'is a URL with a password in it'}`,
          fix: 'Move it to a Secret (secretGenerator) and build URLs in the pod: `value: redis://:$(REDIS_PASSWORD)@host:6379`.',
        };
      }
    }
  },
};

/** Every volumeMount names a volume of the pod. */
export const volumeMountExists: Rule = {
  id: 'volume-mount-exists',
  title: 'Every volumeMount names a volume of the pod',
  severity: 'error',
  description:
    'A mount of an undeclared volume is refused by the API server; it usually means a volume was renamed in one place only.',
  *check(context) {
    for (const w of context.workloads()) {
      const volumes = new Set(recordsAt(w.podSpec, ['volumes']).map((v) => v.name));
      for (const claim of recordsAt(w.object, ['spec', 'volumeClaimTemplates']))
        volumes.add(getAt(claim, ['metadata', 'name']));
      for (const c of containersOf(w)) {
        const mounts = recordsAt(c.container, ['volumeMounts']);
        for (const [j, mount] of mounts.entries()) {
          if (volumes.has(mount.name)) continue;
          yield {
            object: w.object,
            path: [...c.path, 'volumeMounts', j, 'name'],
            message: `container \`${c.name}\` mounts volume \`${String(mount.name)}\`, which the pod does not declare (volumes: ${[...volumes].map(String).join(', ') || 'none'})`,
            fix: 'Add it to spec.volumes (or volumeClaimTemplates of a StatefulSet), or use a declared name.',
          };
        }
      }
    }
  },
};

/** Every persistentVolumeClaim volume names a claim of the render. */
export const pvcExists: Rule = {
  id: 'pvc-exists',
  title: 'Every persistentVolumeClaim a pod uses is in the render',
  severity: 'error',
  description:
    'A pod whose claim does not exist stays Pending forever ("persistentvolumeclaim not found").',
  *check(context) {
    for (const w of context.workloads()) {
      for (const [i, volume] of recordsAt(w.podSpec, ['volumes']).entries()) {
        const claim = getAt(volume, ['persistentVolumeClaim', 'claimName']);
        if (
          claim === undefined ||
          context.find('PersistentVolumeClaim', String(claim), w.namespace)
        )
          continue;
        yield {
          object: w.object,
          path: [...w.podSpecPath, 'volumes', i, 'persistentVolumeClaim', 'claimName'],
          message: `${w.kind} \`${w.name}\` uses PersistentVolumeClaim \`${String(claim)}\`, which is not in the render`,
          fix: 'Add the PersistentVolumeClaim to the kustomization, or fix claimName.',
        };
      }
    }
  },
};

function spreadsOverNodes(w: Workload): boolean {
  const spread = recordsAt(w.podSpec, ['topologySpreadConstraints']).some(
    (t) => t.topologyKey === 'kubernetes.io/hostname',
  );
  const anti = recordsAt(w.podSpec, [
    'affinity',
    'podAntiAffinity',
    'requiredDuringSchedulingIgnoredDuringExecution',
  ]).some(
    (t) =>
      t.topologyKey === 'kubernetes.io/hostname' &&
      matchesSelector(toLabelSelector(t.labelSelector), w.labels),
  );
  return spread || anti;
}

function mounting(context: RuleContext, claim: ManifestObject): Workload[] {
  const ref = refOf(claim);
  return context
    .workloads()
    .filter(
      (w) =>
        w.namespace === ref.namespace &&
        recordsAt(w.podSpec, ['volumes']).some(
          (v) => getAt(v, ['persistentVolumeClaim', 'claimName']) === ref.name,
        ),
    );
}

/** A ReadWriteOnce claim is not shared by pods spread over nodes. */
export const rwoVolumeNotSpread: Rule = {
  id: 'rwo-volume-not-spread',
  title: 'A ReadWriteOnce volume is not shared by pods spread over several nodes',
  severity: 'error',
  description:
    'ReadWriteOnce means one NODE may mount the volume (any number of pods on it). Pods that are spread over nodes and share it get stuck in ContainerCreating with a Multi-Attach error: use ReadWriteMany storage.',
  *check(context) {
    for (const claim of context.ofKind('PersistentVolumeClaim')) {
      const modes = getAt(claim, ['spec', 'accessModes']);
      if (
        !Array.isArray(modes) ||
        modes.includes('ReadWriteMany') ||
        modes.includes('ReadOnlyMany')
      )
        continue;
      const users = mounting(context, claim);
      const spread = users.find((w) => spreadsOverNodes(w));
      const podCount = users.reduce(
        (n, w) =>
          n +
          (typeof getAt(w.object, ['spec', 'replicas']) === 'number'
            ? (getAt(w.object, ['spec', 'replicas']) as number)
            : 1),
        0,
      );
      const oncePod = modes.includes('ReadWriteOncePod') && podCount > 1;
      if (!spread && !oncePod) continue;
      yield {
        object: claim,
        path: ['spec', 'accessModes'],
        message: spread
          ? `PersistentVolumeClaim \`${refOf(claim).name}\` is ${modes.join(', ')} (one node), but ${spread.kind} \`${spread.name}\` spreads its pods over nodes and mounts it`
          : `PersistentVolumeClaim \`${refOf(claim).name}\` is ReadWriteOncePod but ${podCount} pods mount it`,
        fix: 'Ask for `accessModes: [ReadWriteMany]` from a storage class that offers it (NFS, CephFS, EFS, Azure Files), or keep the pods on one node.',
      };
    }
  },
};

/** The rules of this file, in README order. */
export const CONFIG_RULES: readonly Rule[] = [
  configRefExists,
  envInterpolationOrder,
  noSecretsInConfigMap,
  volumeMountExists,
  pvcExists,
  rwoVolumeNotSpread,
];
