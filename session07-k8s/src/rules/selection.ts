/**
 * Rules about who selects whom: workloads and their pods, Services and their endpoints,
 * StatefulSets and their governing Service, PodDisruptionBudgets, HorizontalPodAutoscalers.
 * A wrong label here is never a crash: it is a Service with no endpoints, a budget that
 * protects nothing, an autoscaler that scales nothing.
 */
import { getAt, type ManifestObject, recordsAt, refOf, stringMapAt } from '../manifest.ts';
import { describeSelector, matchesLabels, matchesSelector, toLabelSelector } from '../selectors.ts';
import { containersOf, type Workload } from '../workloads.ts';
import type { Rule, RuleContext, Violation } from './rule.ts';

const CONTROLLERS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'];

function long(context: RuleContext, namespace: string): Workload[] {
  return context.workloads().filter((w) => w.namespace === namespace && w.kind !== 'Pod');
}

/** The labels that matter to a selector (its keys), as `key=value` (or `key` absent). */
function labelsText(labels: Record<string, string>, keys: readonly string[]): string {
  if (keys.length === 0) return describeSelector(labels);
  return keys.map((k) => (k in labels ? `${k}=${labels[k]}` : `no ${k}`)).join(',');
}

/** A Deployment, StatefulSet, DaemonSet or ReplicaSet selects its own pod template. */
export const selectorMatchesTemplate: Rule = {
  id: 'selector-matches-template',
  title: 'A workload selector matches its pod template labels',
  severity: 'error',
  description:
    'A controller finds its pods by its selector. If the template labels do not match, the API server refuses the object; if the selector is empty, it would adopt every pod.',
  *check(context) {
    for (const w of context.workloads()) {
      if (!CONTROLLERS.includes(w.kind)) continue;
      const selector = toLabelSelector(getAt(w.object, ['spec', 'selector']));
      const empty = !selector.matchLabels && !selector.matchExpressions?.length;
      if (empty || !matchesSelector(selector, w.labels)) {
        const wrongKey = Object.entries(selector.matchLabels ?? {}).find(
          ([k, v]) => w.labels[k] !== v,
        )?.[0];
        yield {
          object: w.object,
          // Point at the template label to change (that is the fix), not at the selector.
          path: empty
            ? ['spec', 'selector']
            : [...w.templatePath, 'metadata', 'labels', ...(wrongKey ? [wrongKey] : [])],
          message: empty
            ? `${w.kind} \`${w.name}\` has an empty selector: it would claim every pod in the namespace`
            : `${w.kind} \`${w.name}\` selects \`${describeSelector(selector)}\` but its pod template has \`${labelsText(w.labels, Object.keys(selector.matchLabels ?? {}))}\`: it would never find its own pods`,
          fix: 'Give spec.template.metadata.labels every label of spec.selector.matchLabels. Change the template, not the selector: a selector cannot be changed once the object exists.',
        };
      }
    }
  },
};

/** A Service with a selector selects the pods of some workload. */
export const serviceSelectsPods: Rule = {
  id: 'service-selects-pods',
  title: 'Every Service selects some pod template',
  severity: 'error',
  description:
    'A Service whose selector matches no pod has no endpoints: connections to it are refused or hang.',
  *check(context) {
    for (const service of context.ofKind('Service')) {
      const selector = stringMapAt(service, ['spec', 'selector']);
      if (Object.keys(selector).length === 0 || getAt(service, ['spec', 'type']) === 'ExternalName')
        continue;
      const ref = refOf(service);
      const selected = long(context, ref.namespace).filter((w) =>
        matchesLabels(selector, w.labels),
      );
      if (selected.length > 0) continue;
      const others = long(context, ref.namespace).map(
        (w) => `${w.kind} ${w.name}: ${labelsText(w.labels, Object.keys(selector))}`,
      );
      yield {
        object: service,
        path: ['spec', 'selector'],
        message: `Service \`${ref.name}\` selects \`${describeSelector(selector)}\`, which no pod template in namespace \`${ref.namespace || '(none)'}\` carries${others.length ? ` (${others.join('; ')})` : ''}`,
        fix: 'Make the selector a subset of the labels of the pods it should reach (compare with `kubectl get pods --show-labels`).',
      };
    }
  },
};

/** A Service's `targetPort` is a port the selected containers declare. */
export const serviceTargetPort: Rule = {
  id: 'service-target-port',
  title: "A Service's targetPort names a port of the selected containers",
  severity: 'error',
  description:
    'A named targetPort that no container declares leaves the Service without endpoints for that port; a wrong number sends traffic nowhere.',
  *check(context) {
    for (const service of context.ofKind('Service')) {
      const selector = stringMapAt(service, ['spec', 'selector']);
      const ref = refOf(service);
      const selected = long(context, ref.namespace).filter((w) =>
        matchesLabels(selector, w.labels),
      );
      if (selected.length === 0) continue;
      const declared = selected
        .flatMap((w) => containersOf(w, { init: false }))
        .flatMap((c) => recordsAt(c.container, ['ports']));
      const names = declared.map((p) => p.name).filter((n): n is string => typeof n === 'string');
      const numbers = declared
        .map((p) => p.containerPort)
        .filter((n): n is number => typeof n === 'number');
      const ports = getAt(service, ['spec', 'ports']);
      if (!Array.isArray(ports)) continue;
      for (const [index, port] of ports.entries()) {
        const target = getAt(port, ['targetPort']) ?? getAt(port, ['port']);
        const ok =
          typeof target === 'string' ? names.includes(target) : numbers.includes(Number(target));
        if (ok) continue;
        yield {
          object: service,
          path: [
            'spec',
            'ports',
            index,
            getAt(port, ['targetPort']) === undefined ? 'port' : 'targetPort',
          ],
          message: `Service \`${ref.name}\` sends port ${String(getAt(port, ['port']))} to \`${String(target)}\`, but the selected containers declare ${names.length + numbers.length ? `ports ${[...new Set([...names, ...numbers.map(String)])].join(', ')}` : 'no ports'}`,
          fix: 'Set targetPort to the name (or number) of a `ports:` entry of the container, e.g. `targetPort: health` with `ports: [{name: health, containerPort: 8080}]`.',
        };
      }
    }
  },
};

/** A StatefulSet's `serviceName` is a headless Service that selects its pods. */
export const statefulSetService: Rule = {
  id: 'statefulset-service',
  title: 'A StatefulSet names a headless Service that selects its pods',
  severity: 'error',
  description:
    'The governing Service gives each pod its stable DNS name (redis-0.redis). Without it, or if it is not headless, that name does not resolve.',
  *check(context) {
    for (const set of context.ofKind('StatefulSet')) {
      const ref = refOf(set);
      const serviceName = getAt(set, ['spec', 'serviceName']);
      const service =
        typeof serviceName === 'string'
          ? context.find('Service', serviceName, ref.namespace)
          : undefined;
      const labels = stringMapAt(set, ['spec', 'template', 'metadata', 'labels']);
      let problem: string | null = null;
      if (!service)
        problem = `names Service \`${String(serviceName ?? '')}\`, which is not in the render`;
      else if (getAt(service, ['spec', 'clusterIP']) !== 'None')
        problem = `names Service \`${String(serviceName)}\`, which is not headless (clusterIP: None)`;
      else if (!matchesLabels(stringMapAt(service, ['spec', 'selector']), labels))
        problem = `names Service \`${String(serviceName)}\`, which does not select its pods`;
      if (!problem) continue;
      yield {
        object: set,
        path: ['spec', 'serviceName'],
        message: `StatefulSet \`${ref.name}\` ${problem}`,
        fix: 'Add a Service with `clusterIP: None` whose selector matches the StatefulSet pod labels, and put its name in spec.serviceName.',
      };
    }
  },
};

function selectedBy(context: RuleContext, object: ManifestObject): Workload[] {
  const ref = refOf(object);
  const selector = toLabelSelector(getAt(object, ['spec', 'selector']));
  return long(context, ref.namespace).filter((w) => matchesSelector(selector, w.labels));
}

/** A PodDisruptionBudget selects some pods. */
export const pdbSelectsPods: Rule = {
  id: 'pdb-selects-pods',
  title: 'A PodDisruptionBudget selects some pods',
  severity: 'error',
  description:
    'A budget whose selector matches nothing protects nothing: a node drain may evict every worker at once.',
  *check(context) {
    for (const pdb of context.ofKind('PodDisruptionBudget')) {
      if (selectedBy(context, pdb).length > 0) continue;
      const ref = refOf(pdb);
      yield {
        object: pdb,
        path: ['spec', 'selector'],
        message: `PodDisruptionBudget \`${ref.name}\` selects \`${describeSelector(toLabelSelector(getAt(pdb, ['spec', 'selector'])))}\`, which no pod template in namespace \`${ref.namespace || '(none)'}\` carries`,
        fix: 'Use the same matchLabels as the workload it protects (its spec.selector).',
      };
    }
  },
};

/** The number of pods a workload runs (an HPA's minimum when one scales it). */
function replicasOf(context: RuleContext, w: Workload): number {
  const hpa = context
    .ofKind('HorizontalPodAutoscaler')
    .find(
      (h) =>
        getAt(h, ['spec', 'scaleTargetRef', 'name']) === w.name &&
        getAt(h, ['spec', 'scaleTargetRef', 'kind']) === w.kind,
    );
  const min = hpa ? getAt(hpa, ['spec', 'minReplicas']) : undefined;
  if (typeof min === 'number') return min;
  const replicas = getAt(w.object, ['spec', 'replicas']);
  return typeof replicas === 'number' ? replicas : 1;
}

/** A PodDisruptionBudget still lets one pod be evicted. */
export const pdbAllowsDisruption: Rule = {
  id: 'pdb-allows-disruption',
  title: 'A PodDisruptionBudget leaves room for one eviction',
  severity: 'error',
  description:
    'minAvailable equal to the replica count (or maxUnavailable 0) blocks every voluntary eviction: node drains and cluster upgrades hang.',
  *check(context) {
    for (const pdb of context.ofKind('PodDisruptionBudget')) {
      const pods = selectedBy(context, pdb).reduce((sum, w) => sum + replicasOf(context, w), 0);
      if (pods === 0) continue;
      const minAvailable = getAt(pdb, ['spec', 'minAvailable']);
      const maxUnavailable = getAt(pdb, ['spec', 'maxUnavailable']);
      const allowed =
        minAvailable !== undefined
          ? pods - resolve(minAvailable, pods, true)
          : maxUnavailable !== undefined
            ? resolve(maxUnavailable, pods, false)
            : 1;
      if (allowed >= 1) continue;
      yield {
        object: pdb,
        path: ['spec', minAvailable !== undefined ? 'minAvailable' : 'maxUnavailable'],
        message: `PodDisruptionBudget \`${refOf(pdb).name}\` allows 0 evictions of its ${pods} pod(s) (${minAvailable !== undefined ? `minAvailable ${String(minAvailable)}` : `maxUnavailable ${String(maxUnavailable)}`})`,
        fix: 'Use `maxUnavailable: 1`, or a minAvailable below the replica count.',
      };
    }
  },
};

/**
 * An int-or-percent of `pods`. Kubernetes' disruption controller rounds percentages up for
 * both fields; anything unreadable counts as "blocks everything" for minAvailable.
 */
function resolve(value: unknown, pods: number, isMinAvailable: boolean): number {
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(String(value));
  if (!percent) return isMinAvailable ? pods : 0;
  return Math.ceil((Number(percent[1]) * pods) / 100);
}

function hpaTarget(context: RuleContext, hpa: ManifestObject): ManifestObject | undefined {
  const kind = getAt(hpa, ['spec', 'scaleTargetRef', 'kind']);
  const name = getAt(hpa, ['spec', 'scaleTargetRef', 'name']);
  if (typeof kind !== 'string' || typeof name !== 'string') return undefined;
  return context.find(kind, name, refOf(hpa).namespace);
}

/** A HorizontalPodAutoscaler scales something that exists. */
export const hpaTargetExists: Rule = {
  id: 'hpa-target-exists',
  title: "An HPA's scaleTargetRef names an object of the render",
  severity: 'error',
  description:
    'An autoscaler whose target does not exist (a typo, a prefix added by an overlay) does nothing and only reports FailedGetScale events.',
  *check(context) {
    for (const hpa of context.ofKind('HorizontalPodAutoscaler')) {
      if (hpaTarget(context, hpa)) continue;
      const ref = refOf(hpa);
      const kind = String(getAt(hpa, ['spec', 'scaleTargetRef', 'kind']) ?? '');
      const candidates = context.ofKind(kind || 'Deployment').map((o) => refOf(o).name);
      yield {
        object: hpa,
        path: ['spec', 'scaleTargetRef', 'name'],
        message: `HorizontalPodAutoscaler \`${ref.name}\` scales ${kind} \`${String(getAt(hpa, ['spec', 'scaleTargetRef', 'name']) ?? '')}\`, which is not in the render${candidates.length ? ` (there is: ${candidates.join(', ')})` : ''}`,
        fix: 'Set scaleTargetRef.kind and .name to the workload as rendered (with any prefix the overlay adds).',
      };
    }
  },
};

/** A workload scaled by an HPA does not also pin `replicas`. */
export const hpaReplicasNotPinned: Rule = {
  id: 'hpa-replicas-not-pinned',
  title: 'A workload scaled by an HPA does not set replicas',
  severity: 'error',
  description:
    'With spec.replicas in the manifest, every `kubectl apply` resets the replica count and fights the autoscaler: the pods scale down, then up again.',
  *check(context) {
    for (const hpa of context.ofKind('HorizontalPodAutoscaler')) {
      const target = hpaTarget(context, hpa);
      const replicas = target ? getAt(target, ['spec', 'replicas']) : undefined;
      if (!target || replicas === undefined) continue;
      const violation: Violation = {
        object: target,
        path: ['spec', 'replicas'],
        message: `${refOf(target).kind} \`${refOf(target).name}\` is scaled by HorizontalPodAutoscaler \`${refOf(hpa).name}\` but also sets replicas: ${String(replicas)}; every apply resets it`,
        fix: "Remove spec.replicas (and the overlay's `replicas:` entry for it); the HPA's minReplicas is the floor.",
      };
      yield violation;
    }
  },
};

/** The rules of this file, in README order. */
export const SELECTION_RULES: readonly Rule[] = [
  selectorMatchesTemplate,
  serviceSelectsPods,
  serviceTargetPort,
  statefulSetService,
  pdbSelectsPods,
  pdbAllowsDisruption,
  hpaTargetExists,
  hpaReplicasNotPinned,
];
