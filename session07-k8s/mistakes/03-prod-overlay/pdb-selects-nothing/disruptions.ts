import { fileURLToPath } from 'node:url';

/** This folder: the checks render it with `kubectl kustomize` (write the overlay here). */
export const MANIFESTS_DIR = fileURLToPath(new URL('.', import.meta.url));

/** The two ways a PodDisruptionBudget says how many pods must stay (one of them is set). */
export interface DisruptionBudget {
  /** Pods that must stay available: a number (`2`) or a percentage of the pods (`"50%"`). */
  minAvailable?: number | string;
  /** Pods that may be unavailable at once: a number or a percentage. */
  maxUnavailable?: number | string;
}

/** A number, or a percentage of `pods` rounded up. */
function scaled(value: number | string, pods: number): number {
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(value);
  return percent ? Math.ceil((Number(percent[1]) * pods) / 100) : Number(value);
}

/**
 * How many of `pods` healthy pods a node drain may evict at once under `budget`, as the
 * disruption controller computes it. Percentages of the pod count are rounded **up**
 * (`minAvailable: "50%"` of 3 pods keeps 2). Never negative, never more than `pods`.
 *
 * @example allowedDisruptions({ maxUnavailable: 1 }, 3) // 1
 * @example allowedDisruptions({ minAvailable: 3 }, 3)   // 0 — a drain would hang
 */
export function allowedDisruptions(budget: DisruptionBudget, pods: number): number {
  const allowed =
    budget.minAvailable !== undefined
      ? pods - scaled(budget.minAvailable, pods)
      : scaled(budget.maxUnavailable ?? 0, pods);
  return Math.min(pods, Math.max(0, allowed));
}
