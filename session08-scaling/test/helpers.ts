/** Small builders for the HPA tests: metric specs and pod samples. */
import type { HpaScalingRules, MetricSpec, PodSample } from '../src/index.ts';

/** CPU at `percent` % of the requests. */
export function cpuUtilization(percent: number): MetricSpec {
  return {
    type: 'Resource',
    resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: percent } },
  };
}

/** An External metric with a per-pod (AverageValue) or whole (Value) target. */
export function external(
  name: string,
  target: { averageValue: number } | { value: number },
): MetricSpec {
  return {
    type: 'External',
    external: {
      metric: { name },
      target:
        'value' in target
          ? { type: 'Value', value: target.value }
          : { type: 'AverageValue', averageValue: target.averageValue },
    },
  };
}

/** A Pods metric with an AverageValue target. */
export function podsMetric(name: string, averageValue: number): MetricSpec {
  return {
    type: 'Pods',
    pods: { metric: { name }, target: { type: 'AverageValue', averageValue } },
  };
}

/**
 * `count` ready pods each using `percent` % of a 200m CPU request (values in cores).
 * @example podsAt(50, 90) // 50 pods at 90 %
 */
export function podsAt(
  count: number,
  percent: number,
  extra: Partial<PodSample> = {},
): PodSample[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `pod-${i}`,
    value: (0.2 * percent) / 100,
    request: 0.2,
    ...extra,
  }));
}

/** Scaling rules that never hold or limit anything (to see one rule at a time). */
export const FREE: HpaScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Percent', value: 1000, periodSeconds: 1 },
    { type: 'Pods', value: 1000, periodSeconds: 1 },
  ],
};

/** Behavior with no windows and no effective rate limit. */
export const NO_BEHAVIOR = { scaleUp: FREE, scaleDown: FREE };

/** Seconds to ms. */
export const s = (seconds: number) => seconds * 1000;
