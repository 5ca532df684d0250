/**
 * Rules about metadata: every namespaced object says where it goes (and that namespace is part
 * of the render), and objects carry the recommended `app.kubernetes.io/*` labels that tools
 * (dashboards, `kubectl get -l`, Helm, Argo CD) understand.
 */
import { CLUSTER_SCOPED_KINDS, refOf, stringMapAt } from '../manifest.ts';
import type { Rule } from './rule.ts';

/** Namespaces every cluster has: objects may go there without a Namespace object. */
const BUILTIN_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** Namespaced objects have a namespace, created by the render. */
export const namespaceDeclared: Rule = {
  id: 'namespace-declared',
  title: 'Namespaced objects set a namespace that the render creates',
  severity: 'error',
  description:
    'Without metadata.namespace, `kubectl apply` puts the object in whatever namespace the current context uses: the same manifests end up in different places on different machines.',
  *check(context) {
    const declared = new Set(context.ofKind('Namespace').map((n) => refOf(n).name));
    for (const object of context.objects) {
      const ref = refOf(object);
      if (CLUSTER_SCOPED_KINDS.has(ref.kind)) continue;
      if (!ref.namespace) {
        yield {
          object,
          path: ['metadata', 'namespace'],
          message: `${ref.kind} \`${ref.name}\` has no namespace: it lands in the current context's namespace`,
          fix: 'Set `namespace: imgq` in the kustomization (it applies to all its resources), or metadata.namespace.',
        };
      } else if (!declared.has(ref.namespace) && !BUILTIN_NAMESPACES.has(ref.namespace)) {
        yield {
          object,
          path: ['metadata', 'namespace'],
          message: `${ref.kind} \`${ref.name}\` goes to namespace \`${ref.namespace}\`, which the render does not create${declared.size ? ` (it creates ${[...declared].join(', ')})` : ''}`,
          fix: 'Add a Namespace object to the resources, or use a namespace the render creates.',
        };
      }
    }
  },
};

/** Objects and pod templates carry the recommended labels. */
export const recommendedLabels: Rule = {
  id: 'recommended-labels',
  title: 'Objects carry app.kubernetes.io/name and app.kubernetes.io/part-of',
  severity: 'warning',
  description:
    'The recommended labels let people and tools find everything of one application (`kubectl get all -l app.kubernetes.io/part-of=imgq`).',
  *check(context) {
    const required = context.settings.requiredLabels;
    for (const object of context.objects) {
      const labels = stringMapAt(object, ['metadata', 'labels']);
      const missing = required.filter((label) => !labels[label]);
      if (missing.length === 0) continue;
      const ref = refOf(object);
      yield {
        object,
        path: ['metadata', 'labels'],
        message: `${ref.kind} \`${ref.name}\` has no ${missing.join(', no ')} label`,
        fix: `Add ${missing.map((m) => `\`${m}\``).join(' and ')} (for a whole kustomization at once: its \`labels:\` field with \`includeSelectors: false\`).`,
      };
    }
    for (const w of context.workloads()) {
      if (w.kind === 'Pod' || w.labels['app.kubernetes.io/name']) continue;
      yield {
        object: w.object,
        path: [...w.templatePath, 'metadata', 'labels'],
        message: `the pod template of ${w.kind} \`${w.name}\` has no app.kubernetes.io/name label`,
        fix: 'Label the pods `app.kubernetes.io/name: <component name>`: Services, PDBs and monitors select pods by it.',
      };
    }
  },
};

/** The rules of this file, in README order. */
export const METADATA_RULES: readonly Rule[] = [namespaceDeclared, recommendedLabels];
