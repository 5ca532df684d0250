/**
 * Label selection, the glue of Kubernetes: a Deployment finds its pods, a Service its
 * endpoints, a PodDisruptionBudget the pods it protects — all by labels. Two forms exist: a
 * Service's `selector` is a plain map (every pair must match), while workloads, PDBs and
 * topology spread use a LabelSelector (`matchLabels` and `matchExpressions`).
 */
import { isRecord } from './manifest.ts';

/** A LabelSelector as written in manifests. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/**
 * Whether `labels` carry every pair of a plain selector map (a Service's `selector`). An empty
 * map selects nothing here: a Service without a selector gets no endpoints automatically.
 * @example matchesLabels({ app: 'web' }, { app: 'web', tier: 'front' }) // true
 */
export function matchesLabels(
  selector: Record<string, string>,
  labels: Record<string, string>,
): boolean {
  const pairs = Object.entries(selector);
  return pairs.length > 0 && pairs.every(([key, value]) => labels[key] === value);
}

/**
 * Whether `labels` match a LabelSelector. Every `matchLabels` pair and every expression must
 * hold; `NotIn` and `DoesNotExist` also hold when the label is absent. An empty selector
 * (`{}`) matches everything, as in Kubernetes.
 * @example matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }, {}) // true
 */
export function matchesSelector(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expression.key);
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!has || !values.includes(labels[expression.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[expression.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A LabelSelector read from an unchecked manifest value (malformed parts are dropped). */
export function toLabelSelector(value: unknown): LabelSelector {
  if (!isRecord(value)) return {};
  const selector: LabelSelector = {};
  if (isRecord(value.matchLabels)) {
    selector.matchLabels = Object.fromEntries(
      Object.entries(value.matchLabels).filter(
        (e): e is [string, string] => typeof e[1] === 'string',
      ),
    );
  }
  if (Array.isArray(value.matchExpressions)) {
    selector.matchExpressions = value.matchExpressions.filter(isRecord).map((e) => ({
      key: String(e.key ?? ''),
      operator: String(e.operator ?? ''),
      values: Array.isArray(e.values) ? e.values.map(String) : [],
    }));
  }
  return selector;
}

/** `app=web,tier in (front,api)`: a selector as `kubectl get -l` takes it. */
export function describeSelector(selector: LabelSelector | Record<string, string>): string {
  const isLabelSelector = 'matchLabels' in selector || 'matchExpressions' in selector;
  const labels = isLabelSelector
    ? ((selector as LabelSelector).matchLabels ?? {})
    : (selector as Record<string, string>);
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  if (isLabelSelector) {
    for (const e of (selector as LabelSelector).matchExpressions ?? []) {
      const op = e.operator;
      if (op === 'Exists') parts.push(e.key);
      else if (op === 'DoesNotExist') parts.push(`!${e.key}`);
      else parts.push(`${e.key} ${op === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`);
    }
  }
  return parts.join(',') || '(everything)';
}
