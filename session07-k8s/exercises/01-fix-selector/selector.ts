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
  // 🐨 1. Every `matchLabels` pair must be in `labels` with the same value.
  // 🐨 2. Every expression of `matchExpressions` must hold:
  //       In (the label exists and its value is listed), NotIn, Exists, DoesNotExist.
  //       An unknown operator selects nothing.
  // 💰 An empty selector `{}` selects every pod; read HINTS.md for NotIn.
  void selector;
  void labels;
  throw new Error('🐨 TODO (07.1): decide whether the labels match the selector');
}
