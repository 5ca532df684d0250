import { fileURLToPath } from 'node:url';
import type { LabelSelector } from '@workbook/session07';

/** This folder: the checks render it with `kubectl kustomize` (edit the YAML files here). */
export const MANIFESTS_DIR = fileURLToPath(new URL('.', import.meta.url));

/**
 * Whether a pod with `labels` is selected by a Kubernetes LabelSelector — how a Deployment
 * finds its pods, a PodDisruptionBudget the pods it protects.
 *
 * @example
 * selects({ matchLabels: { app: 'web' } }, { app: 'web', tier: 'front' }) // true
 * selects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }, {}) // true
 */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const has = Object.hasOwn(labels, key);
    switch (operator) {
      case 'In':
        return has && values.includes(labels[key]!);
      case 'NotIn':
        // A pod without the label is not "in" the list: NotIn holds.
        return !has || !values.includes(labels[key]!);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return true;
    }
  });
}
