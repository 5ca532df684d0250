/**
 * The objects a render will create, drawn as a tree the way the cluster will own them:
 * Namespace → Deployment → ReplicaSet → Pods (the controllers create the last two), and what
 * Services, PDBs and pods select or use. Built from the rendered manifests alone, so it shows
 * what a cluster *would* do with them.
 */
import { getAt, type ManifestObject, recordsAt, refOf, stringMapAt } from './manifest.ts';
import { describeSelector, matchesLabels, matchesSelector, toLabelSelector } from './selectors.ts';
import { type Workload, workloadsOf } from './workloads.ts';

/** One node of the tree. */
export interface TreeNode {
  /** `Deployment imgq-worker`. */
  label: string;
  /** Extra facts on the same line (replicas, selector, ports). */
  detail: string;
  /** Created by a controller at run time, not written in the manifests. */
  derived: boolean;
  children: TreeNode[];
}

const node = (
  label: string,
  detail = '',
  derived = false,
  children: TreeNode[] = [],
): TreeNode => ({ label, detail, derived, children });

function replicas(w: Workload): number {
  const value = getAt(w.object, ['spec', 'replicas']);
  return typeof value === 'number' ? value : 1;
}

function podsOf(w: Workload): TreeNode[] {
  const n = replicas(w);
  const pvcs = recordsAt(w.object, ['spec', 'volumeClaimTemplates']).map((c) =>
    String(getAt(c, ['metadata', 'name'])),
  );
  const pods: TreeNode[] = [];
  for (let i = 0; i < Math.min(n, 3); i++) {
    const name =
      w.kind === 'StatefulSet'
        ? `${w.name}-${i}`
        : w.kind === 'Job'
          ? `${w.name}-<random>`
          : `${w.name}-<hash>-<random${i + 1}>`;
    const claims = pvcs.map((c) =>
      node(`PersistentVolumeClaim ${c}-${w.name}-${i}`, 'from volumeClaimTemplates', true),
    );
    const appName = w.labels['app.kubernetes.io/name'];
    pods.push(
      node(
        `Pod ${name}`,
        appName ? `app.kubernetes.io/name=${appName}` : describeSelector(w.labels),
        true,
        claims,
      ),
    );
  }
  if (n > 3) pods.push(node(`… ${n - 3} more pod(s)`, '', true));
  return pods;
}

function workloadNode(w: Workload): TreeNode {
  switch (w.kind) {
    case 'Deployment':
      return node(`Deployment ${w.name}`, `replicas ${replicas(w)}`, false, [
        node(`ReplicaSet ${w.name}-<hash>`, 'one per pod template version', true, podsOf(w)),
      ]);
    case 'StatefulSet':
      return node(
        `StatefulSet ${w.name}`,
        `replicas ${replicas(w)}, serviceName ${String(getAt(w.object, ['spec', 'serviceName']) ?? '-')}`,
        false,
        podsOf(w),
      );
    case 'Job':
      return node(
        `Job ${w.name}`,
        `backoffLimit ${String(getAt(w.object, ['spec', 'backoffLimit']) ?? 6)}`,
        false,
        podsOf({ ...w, object: { ...w.object, spec: { replicas: 1 } } }),
      );
    default:
      return node(`${w.kind} ${w.name}`, '', false, podsOf(w));
  }
}

function serviceNode(service: ManifestObject, workloads: Workload[]): TreeNode {
  const ref = refOf(service);
  const selector = stringMapAt(service, ['spec', 'selector']);
  const selected = workloads.filter((w) => matchesLabels(selector, w.labels));
  const headless = getAt(service, ['spec', 'clusterIP']) === 'None';
  const ports = recordsAt(service, ['spec', 'ports'])
    .map((p) => `${String(p.port)}→${String(p.targetPort ?? p.port)}`)
    .join(', ');
  const children = selected.length
    ? selected.map((w) => node(`endpoints: pods of ${w.kind} ${w.name}`, `×${replicas(w)}`, true))
    : [node('endpoints: none — the selector matches no pod template', '', true)];
  return node(
    `Service ${ref.name}`,
    `${headless ? 'headless, ' : ''}selects ${describeSelector(selector)}, ports ${ports}`,
    false,
    children,
  );
}

function usersOf(object: ManifestObject, workloads: Workload[]): string[] {
  const { kind, name } = refOf(object);
  const users: string[] = [];
  for (const w of workloads) {
    const text = JSON.stringify(w.podSpec);
    const uses =
      kind === 'PersistentVolumeClaim'
        ? recordsAt(w.podSpec, ['volumes']).some(
            (v) => getAt(v, ['persistentVolumeClaim', 'claimName']) === name,
          )
        : text.includes(`"name":"${name}"`) || text.includes(`"secretName":"${name}"`);
    if (uses) users.push(`${w.kind} ${w.name}`);
  }
  return users;
}

/**
 * The tree of a rendered set, one root per Namespace (plus objects without one).
 * @example formatTree(objectTree(rendered.objects))
 */
export function objectTree(objects: readonly ManifestObject[]): TreeNode[] {
  const workloads = workloadsOf(objects);
  const namespaces = [
    ...new Set(
      objects.map((o) => (refOf(o).kind === 'Namespace' ? refOf(o).name : refOf(o).namespace)),
    ),
  ];
  return namespaces.map((namespace) => {
    const here = objects.filter(
      (o) => refOf(o).namespace === namespace && refOf(o).kind !== 'Namespace',
    );
    const local = workloads.filter((w) => w.namespace === namespace);
    const children: TreeNode[] = local.map(workloadNode);
    for (const object of here) {
      const ref = refOf(object);
      if (ref.kind === 'Service') children.push(serviceNode(object, local));
      else if (ref.kind === 'PodDisruptionBudget') {
        const selector = toLabelSelector(getAt(object, ['spec', 'selector']));
        const covered = local
          .filter((w) => matchesSelector(selector, w.labels))
          .map((w) => `${w.kind} ${w.name}`);
        children.push(
          node(`PodDisruptionBudget ${ref.name}`, `protects ${covered.join(', ') || 'nothing'}`),
        );
      } else if (['ConfigMap', 'Secret', 'PersistentVolumeClaim'].includes(ref.kind)) {
        const users = usersOf(object, local);
        children.push(
          node(
            `${ref.kind} ${ref.name}`,
            users.length ? `used by ${users.join(', ')}` : 'used by no pod',
          ),
        );
      } else if (!local.some((w) => w.object === object))
        children.push(node(`${ref.kind} ${ref.name}`));
    }
    return node(namespace ? `Namespace ${namespace}` : '(no namespace)', '', false, children);
  });
}

/** Draws trees with box characters; `decorate` styles each line (e.g. dims derived nodes). */
export function formatTree(
  roots: readonly TreeNode[],
  decorate: (text: string, n: TreeNode) => string = (t) => t,
): string {
  const lines: string[] = [];
  const draw = (n: TreeNode, prefix: string, last: boolean, top: boolean) => {
    const branch = top ? '' : last ? '└─ ' : '├─ ';
    lines.push(
      `${prefix}${branch}${decorate(n.label, n)}${n.detail ? `  ${decorate(`(${n.detail})`, { ...n, derived: true })}` : ''}`,
    );
    const next = top ? '' : `${prefix}${last ? '   ' : '│  '}`;
    for (const [i, child] of n.children.entries())
      draw(child, next, i === n.children.length - 1, false);
  };
  for (const root of roots) draw(root, '', true, true);
  return `${lines.join('\n')}\n`;
}
