import type { HpaScalingPolicy, ScaleEvent, SelectPolicy } from '@workbook/session08';

/** `behavior.scaleUp` with its policies and how to choose among them. */
export interface ScaleUpRules {
  selectPolicy: SelectPolicy;
  policies: readonly HpaScalingPolicy[];
}

/**
 * The most replicas the scale-up policies allow at `now`: each policy from the replica count at
 * the start of its period (`current` minus the pods added within it); `Max` takes the largest
 * proposal, `Min` the smallest, `Disabled` allows none. Never below `current`.
 *
 * @example
 * // the default policies (4 pods or 100 % per 15 s, Max), 10 replicas, nothing added lately
 * scaleUpLimit(10, [], DEFAULT_BEHAVIOR.scaleUp, 0) // 20
 */
export function scaleUpLimit(
  current: number,
  events: readonly ScaleEvent[],
  rules: ScaleUpRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const proposals = rules.policies.map((policy) => {
    const cutoff = now - policy.periodSeconds * 1000;
    const added = events.filter((e) => e.at > cutoff).length;
    const periodStart = current - added;
    return policy.type === 'Pods'
      ? periodStart + policy.value
      : Math.ceil(periodStart * (1 + policy.value / 100));
  });
  const limit = rules.selectPolicy === 'Min' ? Math.min(...proposals) : Math.max(...proposals);
  return Math.max(current, limit);
}
