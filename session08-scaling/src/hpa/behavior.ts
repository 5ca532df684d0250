/**
 * `spec.behavior`: the stabilization windows and the rate policies, as pure functions of a
 * history and a clock (`now`, in ms: any clock — a test's, or a compressed one).
 *
 * - Stabilization: a scale-up takes the LOWEST recommendation of the scale-up window, a
 *   scale-down the HIGHEST of the scale-down window (a rolling maximum: scale-downs happen
 *   only once every recommendation of the last 300 s agrees).
 * - Rate: each policy allows `value` pods (`Pods`) or `value` % (`Percent`) of the replicas at
 *   the start of its period, counting the changes made within the last `periodSeconds`;
 *   `selectPolicy` picks the policy allowing the most change (`Max`), the least (`Min`), or
 *   none (`Disabled`). Percent rounds up when adding pods and down when keeping them.
 */
import type {
  HpaScalingPolicy,
  ResolvedScalingRules,
  ScaleEvent,
  TimedRecommendation,
} from './types.ts';

/** Result of {@link stabilize}. */
export interface Stabilized {
  /** The recommendation after the windows. */
  replicas: number;
  /** `ScaleUpStabilized` or `ScaleDownStabilized` (which window could have held it). */
  reason: 'ScaleUpStabilized' | 'ScaleDownStabilized';
  /** The history with this recommendation recorded (old entries dropped). */
  recommendations: TimedRecommendation[];
}

/**
 * Applies both stabilization windows to `desired` given earlier recommendations: the result is
 * `current`, raised to the lowest recommendation of the scale-up window and lowered to the
 * highest of the scale-down window (`desired` itself counts in both). A window of 0 s holds
 * nothing. The new recommendation is recorded; entries older than both windows are dropped.
 *
 * @example
 * // 300 s window: 5 pods wanted 100 s ago, now 2 → stays at 5
 * stabilize(5, 2, [{ at: 0, replicas: 5 }], 100_000, up, down).replicas // 5
 */
export function stabilize(
  current: number,
  desired: number,
  history: readonly TimedRecommendation[],
  now: number,
  scaleUp: Pick<ResolvedScalingRules, 'stabilizationWindowSeconds'>,
  scaleDown: Pick<ResolvedScalingRules, 'stabilizationWindowSeconds'>,
): Stabilized {
  const upCutoff = now - scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = now - scaleDown.stabilizationWindowSeconds * 1000;
  let upRecommendation = desired;
  let downRecommendation = desired;
  for (const rec of history) {
    if (rec.at > upCutoff) upRecommendation = Math.min(upRecommendation, rec.replicas);
    if (rec.at > downCutoff) downRecommendation = Math.max(downRecommendation, rec.replicas);
  }
  let replicas = Math.max(current, upRecommendation);
  replicas = Math.min(replicas, downRecommendation);
  const keepAfter = Math.min(upCutoff, downCutoff);
  const recommendations = [
    ...history.filter((rec) => rec.at > keepAfter),
    { at: now, replicas: desired },
  ];
  return {
    replicas,
    reason: desired >= current ? 'ScaleUpStabilized' : 'ScaleDownStabilized',
    recommendations,
  };
}

/** Pods changed by the events of the last `periodSeconds` before `now`. */
export function changeInPeriod(
  events: readonly ScaleEvent[],
  periodSeconds: number,
  now: number,
): number {
  const cutoff = now - periodSeconds * 1000;
  return events.reduce((sum, e) => (e.at > cutoff ? sum + e.change : sum), 0);
}

/** The replica count one policy allows when scaling up from `periodStart` pods. */
function upProposal(policy: HpaScalingPolicy, periodStart: number): number {
  return policy.type === 'Pods'
    ? periodStart + policy.value
    : Math.ceil(periodStart * (1 + policy.value / 100));
}

/** The replica count one policy allows when scaling down from `periodStart` pods. */
function downProposal(policy: HpaScalingPolicy, periodStart: number): number {
  return policy.type === 'Pods'
    ? periodStart - policy.value
    : Math.trunc(periodStart * (1 - policy.value / 100));
}

/**
 * Each policy's proposal, from the replicas at the start of its period: `current − added +
 * removed` within the policy's `periodSeconds` (both directions share this bookkeeping).
 */
function policyProposals(
  current: number,
  upEvents: readonly ScaleEvent[],
  downEvents: readonly ScaleEvent[],
  rules: Pick<ResolvedScalingRules, 'policies'>,
  now: number,
  propose: (policy: HpaScalingPolicy, periodStart: number) => number,
): number[] {
  return rules.policies.map((policy) =>
    propose(
      policy,
      current -
        changeInPeriod(upEvents, policy.periodSeconds, now) +
        changeInPeriod(downEvents, policy.periodSeconds, now),
    ),
  );
}

/**
 * The most replicas the scale-up policies allow now. Each policy starts from the replicas at
 * the start of its period (`current − added + removed` within it); `Max` takes the highest
 * proposal, `Min` the lowest, `Disabled` allows no scale-up (returns `current`).
 *
 * @example
 * // defaults (4 pods or 100 % per 15 s, Max), 3 replicas, nothing changed lately → 7
 * scaleUpLimit(3, [], [], DEFAULT_BEHAVIOR.scaleUp, now) // max(3 + 4, ceil(3 × 2)) = 7
 */
export function scaleUpLimit(
  current: number,
  upEvents: readonly ScaleEvent[],
  downEvents: readonly ScaleEvent[],
  rules: Pick<ResolvedScalingRules, 'selectPolicy' | 'policies'>,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const proposals = policyProposals(current, upEvents, downEvents, rules, now, upProposal);
  return rules.selectPolicy === 'Min' ? Math.min(...proposals) : Math.max(...proposals);
}

/**
 * The fewest replicas the scale-down policies allow now (the mirror of {@link scaleUpLimit}):
 * `Max` takes the lowest proposal (the most change), `Min` the highest, `Disabled` returns
 * `current`.
 */
export function scaleDownLimit(
  current: number,
  upEvents: readonly ScaleEvent[],
  downEvents: readonly ScaleEvent[],
  rules: Pick<ResolvedScalingRules, 'selectPolicy' | 'policies'>,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const proposals = policyProposals(current, upEvents, downEvents, rules, now, downProposal);
  return rules.selectPolicy === 'Min' ? Math.max(...proposals) : Math.min(...proposals);
}

/** Result of {@link limitRate}. */
export interface RateLimited {
  replicas: number;
  /** `ScalingLimited` condition: True when the result differs from the stabilized count. */
  limited: boolean;
  reason:
    | 'DesiredWithinRange'
    | 'ScaleUpLimit'
    | 'ScaleDownLimit'
    | 'TooManyReplicas'
    | 'TooFewReplicas';
  message: string;
}

/**
 * Clamps a stabilized recommendation by the rate policies and by [min, max]. The reason names
 * the bound that applied: the rate (`ScaleUpLimit`, `ScaleDownLimit`) when it is tighter than
 * max/min, else `TooManyReplicas` / `TooFewReplicas`.
 */
export function limitRate(
  current: number,
  desired: number,
  bounds: { minReplicas: number; maxReplicas: number },
  history: { scaleUpEvents: readonly ScaleEvent[]; scaleDownEvents: readonly ScaleEvent[] },
  rules: { scaleUp: ResolvedScalingRules; scaleDown: ResolvedScalingRules },
  now: number,
): RateLimited {
  const { scaleUpEvents: up, scaleDownEvents: down } = history;
  if (desired > current) {
    // A limit below current (events not expired yet) must not scale down: hold at current.
    const rateLimit = Math.max(current, scaleUpLimit(current, up, down, rules.scaleUp, now));
    const byRate = rateLimit < bounds.maxReplicas;
    const allowed = byRate ? rateLimit : bounds.maxReplicas;
    if (desired > allowed) {
      return byRate
        ? limited(
            allowed,
            'ScaleUpLimit',
            'the desired replica count is increasing faster than the maximum scale rate',
          )
        : limited(
            allowed,
            'TooManyReplicas',
            'the desired replica count is more than the maximum replica count',
          );
    }
  } else if (desired < current) {
    const rateLimit = Math.min(current, scaleDownLimit(current, up, down, rules.scaleDown, now));
    const byRate = rateLimit > bounds.minReplicas;
    const allowed = byRate ? rateLimit : bounds.minReplicas;
    if (desired < allowed) {
      return byRate
        ? limited(
            allowed,
            'ScaleDownLimit',
            'the desired replica count is decreasing faster than the maximum scale rate',
          )
        : limited(
            allowed,
            'TooFewReplicas',
            'the desired replica count is less than the minimum replica count',
          );
    }
  }
  return {
    replicas: desired,
    limited: false,
    reason: 'DesiredWithinRange',
    message: 'the desired count is within the acceptable range',
  };
}

function limited(replicas: number, reason: RateLimited['reason'], message: string): RateLimited {
  return { replicas, limited: true, reason, message };
}

/**
 * Records a scaling action for the rate policies and forgets events older than the longest
 * policy period of either direction (they can no longer count).
 */
export function recordScaleEvent(
  history: { scaleUpEvents: readonly ScaleEvent[]; scaleDownEvents: readonly ScaleEvent[] },
  from: number,
  to: number,
  now: number,
  rules: { scaleUp: ResolvedScalingRules; scaleDown: ResolvedScalingRules },
): { scaleUpEvents: ScaleEvent[]; scaleDownEvents: ScaleEvent[] } {
  // Both directions' policies read both lists (a period starts from current − added + removed).
  const policies = [...rules.scaleUp.policies, ...rules.scaleDown.policies];
  const cutoff = now - Math.max(0, ...policies.map((p) => p.periodSeconds)) * 1000;
  const scaleUpEvents = history.scaleUpEvents.filter((e) => e.at > cutoff);
  const scaleDownEvents = history.scaleDownEvents.filter((e) => e.at > cutoff);
  if (to > from) scaleUpEvents.push({ at: now, change: to - from });
  if (to < from) scaleDownEvents.push({ at: now, change: from - to });
  return { scaleUpEvents, scaleDownEvents };
}
