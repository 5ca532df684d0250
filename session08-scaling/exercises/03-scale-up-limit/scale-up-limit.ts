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
  // 🐨 1. selectPolicy 'Disabled' → no scale-up: return current.
  // 🐨 2. For each policy: the pods added in its period (events with at > now − periodSeconds × 1000),
  //       periodStart = current − those pods, then the policy's proposal from periodStart
  //       (Pods: + value; Percent: × (1 + value/100), rounded so that one pod can still grow).
  // 🐨 3. 'Max' → the largest proposal, 'Min' → the smallest.
  // 🐨 4. Never return less than current.
  void current;
  void events;
  void rules;
  void now;
  throw new Error('🐨 TODO (08.3): compute the scale-up limit from the policies');
}
