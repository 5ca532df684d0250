/**
 * One metric → one replica proposal: the HPA's "algorithm details" from the Kubernetes
 * documentation, as pure functions.
 *
 *   desiredReplicas = ceil(currentReplicas × currentMetricValue / desiredMetricValue)
 *
 * with the tolerance (no change while |1 − ratio| ≤ 0.1), pods set aside when they have no
 * metric or are not yet ready (CPU), a second, conservative ratio that counts missing pods as
 * 100 % of the target on a scale-down and 0 % on a scale-up (unready pods as 0 % on a
 * scale-up), and no scaling when that second ratio flips the direction.
 */

import { WorkbookError } from '@workbook/session01';
import { ScalingErrorCodes } from '../errors.ts';
import { describeMetric } from './spec.ts';
import type {
  MetricObservation,
  MetricProposal,
  MetricSpec,
  MetricTarget,
  PodSample,
} from './types.ts';

/** What the calculation knows of the target besides the metric. */
export interface ReplicaContext {
  /** `spec.replicas` of the target. */
  currentReplicas: number;
  /** `status.replicas` (pods that exist). */
  statusReplicas: number;
  /** Running and ready pods. */
  readyReplicas: number;
  /** No change while |1 − ratio| ≤ tolerance. */
  tolerance: number;
}

/**
 * The replicas one metric asks for, with the numbers behind it. A metric that cannot be read
 * (`{ error }`), a Utilization target on pods without requests, or no ready pod with a value
 * gives `replicas: null` and the reason in `error` (the HPA then reports `ScalingActive False`).
 *
 * @throws {WorkbookError} `ERR_OBSERVATION_MISMATCH` when the observation's kind does not fit the
 * metric (per-pod values for an External metric, a single value for a Resource metric).
 * @example
 * proposeReplicas(cpu75, { pods: fiftyPodsAt90Percent }, ctx).replicas // 60
 */
export function proposeReplicas(
  metric: MetricSpec,
  observation: MetricObservation,
  context: ReplicaContext,
): MetricProposal {
  const name = describeMetric(metric);
  if ('error' in observation) {
    return { metric: name, replicas: null, detail: 'metric unavailable', error: observation.error };
  }
  if (metric.type === 'Resource' || metric.type === 'Pods') {
    if (!('pods' in observation)) throw mismatch(name, 'per-pod values `{ pods: [...] }`');
    const target = metric.type === 'Resource' ? metric.resource.target : metric.pods.target;
    const isCpu = metric.type === 'Resource' && metric.resource.name === 'cpu';
    return { metric: name, ...perPodReplicas(observation.pods, target, isCpu, context) };
  }
  if (!('value' in observation)) throw mismatch(name, 'one value `{ value: n }`');
  const target = metric.type === 'Object' ? metric.object.target : metric.external.target;
  return { metric: name, ...valueReplicas(observation.value, target, context) };
}

type Proposal = Omit<MetricProposal, 'metric'>;

/** Object and External metrics: a single value, compared to `value` or `averageValue`. */
function valueReplicas(value: number, target: MetricTarget, ctx: ReplicaContext): Proposal {
  if (target.type === 'AverageValue') {
    // Divided by the pods that exist; from zero pods the ratio is infinite: ceil(value / target).
    const perPod = target.averageValue!;
    const status = ctx.statusReplicas;
    const usageRatio = value / (perPod * status);
    const currentValue = status > 0 ? Math.ceil(value / status) : value;
    if (Math.abs(1 - usageRatio) > ctx.tolerance) {
      const replicas = Math.ceil(value / perPod);
      return { replicas, usageRatio, currentValue, detail: `ceil(${value} / ${perPod} per pod)` };
    }
    return { replicas: status, usageRatio, currentValue, detail: 'within tolerance' };
  }
  const usageRatio = value / target.value!;
  if (ctx.currentReplicas === 0) {
    // Scale from zero: as many pods as the ratio says, rounded up.
    const replicas = Math.ceil(usageRatio);
    return {
      replicas,
      usageRatio,
      currentValue: value,
      detail: `from zero: ceil(${round(usageRatio)})`,
    };
  }
  if (Math.abs(1 - usageRatio) <= ctx.tolerance) {
    return {
      replicas: ctx.currentReplicas,
      usageRatio,
      currentValue: value,
      detail: 'within tolerance',
    };
  }
  const replicas = Math.ceil(usageRatio * ctx.readyReplicas);
  return {
    replicas,
    usageRatio,
    currentValue: value,
    detail: `ceil(${round(usageRatio)} × ${ctx.readyReplicas} ready pods)`,
  };
}

interface Grouped {
  ready: PodSample[];
  unready: PodSample[];
  missing: PodSample[];
}

/** Sorts pods as the controller does: ignored, unready, missing a metric, or ready. */
export function groupPods(pods: readonly PodSample[], isCpu: boolean): Grouped {
  const grouped: Grouped = { ready: [], unready: [], missing: [] };
  for (const pod of pods) {
    const phase = pod.phase ?? 'Running';
    if (pod.deleting || phase === 'Failed' || phase === 'Succeeded') continue;
    if (phase === 'Pending') grouped.unready.push(pod);
    else if (pod.value === undefined) grouped.missing.push(pod);
    else if (isCpu && pod.ready === false) grouped.unready.push(pod);
    else grouped.ready.push(pod);
  }
  return grouped;
}

/** A pod's value as counted in a ratio, and its request (Utilization). */
interface Counted {
  value: number;
  request: number;
}

function perPodReplicas(
  pods: readonly PodSample[],
  target: MetricTarget,
  isCpu: boolean,
  ctx: ReplicaContext,
): Proposal {
  const utilization = target.type === 'Utilization';
  const { ready, unready, missing } = groupPods(pods, isCpu);
  if (utilization) {
    const noRequest = [...ready, ...unready, ...missing].find((p) => !(p.request! > 0));
    if (noRequest) {
      const podName = noRequest.name ?? `pod-${pods.indexOf(noRequest)}`;
      return {
        replicas: null,
        detail: 'missing request',
        error: `missing request for pod \`${podName}\`: Utilization is a percentage of the request; set resources.requests`,
      };
    }
  }
  if (ready.length === 0) {
    return {
      replicas: null,
      detail: 'no metrics',
      error: 'did not receive metrics for any ready pod',
    };
  }
  const goal = utilization ? target.averageUtilization! : target.averageValue!;
  const counted: Counted[] = ready.map((p) => ({ value: p.value!, request: p.request ?? 0 }));
  const { ratio: usageRatio, current: currentValue } = ratioOf(counted, goal, utilization);
  const scaleUpWithUnready = unready.length > 0 && usageRatio > 1;

  if (!scaleUpWithUnready && missing.length === 0) {
    if (Math.abs(1 - usageRatio) <= ctx.tolerance) {
      return {
        replicas: ctx.currentReplicas,
        usageRatio,
        currentValue,
        detail: 'within tolerance',
      };
    }
    const replicas = Math.ceil(usageRatio * ready.length);
    return {
      replicas,
      usageRatio,
      currentValue,
      detail: `ceil(${round(usageRatio)} × ${ready.length} pods)`,
    };
  }

  // The conservative second pass: missing pods at 100 % of the target on a scale-down and 0 %
  // on a scale-up; unready pods at 0 % when the first pass would scale up.
  const atTarget = (p: PodSample) => (utilization ? ((p.request ?? 0) * goal) / 100 : goal);
  for (const pod of missing) {
    counted.push({ value: usageRatio < 1 ? atTarget(pod) : 0, request: pod.request ?? 0 });
  }
  if (scaleUpWithUnready) {
    for (const pod of unready) counted.push({ value: 0, request: pod.request ?? 0 });
  }
  const newRatio = ratioOf(counted, goal, utilization).ratio;
  const flipped = (usageRatio < 1 && newRatio > 1) || (usageRatio > 1 && newRatio < 1);
  const setAside = `${missing.length} missing, ${scaleUpWithUnready ? unready.length : 0} unready`;
  if (Math.abs(1 - newRatio) <= ctx.tolerance || flipped) {
    return {
      replicas: ctx.currentReplicas,
      usageRatio,
      currentValue,
      detail: flipped
        ? `no change: counting ${setAside} pods flips the direction (ratio ${round(usageRatio)} → ${round(newRatio)})`
        : `within tolerance once ${setAside} pods are counted (ratio ${round(newRatio)})`,
    };
  }
  const replicas = Math.ceil(newRatio * counted.length);
  if (
    (newRatio < 1 && replicas > ctx.currentReplicas) ||
    (newRatio > 1 && replicas < ctx.currentReplicas)
  ) {
    return {
      replicas: ctx.currentReplicas,
      usageRatio,
      currentValue,
      detail: `no change: ${replicas} pods would go against the ratio's direction`,
    };
  }
  return {
    replicas,
    usageRatio,
    currentValue,
    detail: `ceil(${round(newRatio)} × ${counted.length} pods, counting ${setAside})`,
  };
}

/**
 * current / target over the counted pods, computed like the controller: in whole milli-units
 * (its quantities are int64 milli-values, so `0.18` cores is exactly 180m). Utilization is the
 * sum of usage over the sum of requests in whole percent (integer division); AverageValue the
 * mean, truncated to a milli-unit.
 */
function ratioOf(counted: readonly Counted[], goal: number, utilization: boolean) {
  const total = counted.reduce((sum, c) => sum + milli(c.value), 0);
  if (utilization) {
    const requests = counted.reduce((sum, c) => sum + milli(c.request), 0);
    const percent = Math.trunc((total * 100) / requests);
    return { ratio: percent / goal, current: percent };
  }
  const mean = Math.trunc(total / counted.length);
  return { ratio: mean / milli(goal), current: mean / 1000 };
}

/** A value in whole milli-units, as a Kubernetes quantity holds it. */
function milli(value: number): number {
  return Math.round(value * 1000);
}

function mismatch(metric: string, expected: string): WorkbookError {
  return new WorkbookError(
    ScalingErrorCodes.OBSERVATION_MISMATCH,
    `The observation for metric ${metric} has the wrong kind: expected ${expected}. ` +
      'Give one observation per spec.metrics entry, in the same order.',
  );
}

function round(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n * 100) / 100) : String(n);
}
