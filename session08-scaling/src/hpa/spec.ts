/**
 * The documented defaults of the HPA controller and of `autoscaling/v2`, and the one place a
 * spec is checked and completed. Sources (cited in the README):
 * - kubernetes.io "Horizontal Pod Autoscaling": tolerance 0.1, sync period 15 s, downscale
 *   stabilization 300 s, "Default behavior" (the YAML block below), the readiness flags;
 * - the `autoscaling/v2` API reference: minReplicas defaults to 1, periodSeconds 1-1800.
 */
import {
  checkChoice,
  checkInteger,
  checkNumber,
  describeValue,
  InvalidOptionError,
} from '@workbook/session01';
import type {
  HpaBehavior,
  HpaScalingPolicy,
  HpaScalingRules,
  HpaSpec,
  MetricSpec,
  ResolvedHpaSpec,
  ResolvedScalingRules,
} from './types.ts';

/** `--horizontal-pod-autoscaler-tolerance`. @default 0.1 */
export const DEFAULT_TOLERANCE = 0.1;
/** `--horizontal-pod-autoscaler-sync-period`: how often the controller runs, ms. */
export const DEFAULT_SYNC_PERIOD_MS = 15_000;
/** `--horizontal-pod-autoscaler-downscale-stabilization`, seconds. */
export const DEFAULT_DOWNSCALE_STABILIZATION_SECONDS = 300;
/** `--horizontal-pod-autoscaler-initial-readiness-delay`, ms. */
export const DEFAULT_INITIAL_READINESS_DELAY_MS = 30_000;
/** `--horizontal-pod-autoscaler-cpu-initialization-period`, ms. */
export const DEFAULT_CPU_INITIALIZATION_PERIOD_MS = 300_000;

/**
 * "Default behavior" from the Kubernetes documentation: scale up by 4 pods or 100 % every 15 s,
 * whichever is more, at once; scale down by up to 100 % every 15 s after a 300 s window.
 */
export const DEFAULT_BEHAVIOR = {
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  },
  scaleDown: {
    stabilizationWindowSeconds: DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
    selectPolicy: 'Max',
    policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  },
} as const satisfies { scaleUp: ResolvedScalingRules; scaleDown: ResolvedScalingRules };

/** What `kubectl autoscale` sets when no metric is given: CPU at 80 % of the requests. */
export const DEFAULT_METRICS: readonly MetricSpec[] = [
  {
    type: 'Resource',
    resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
  },
];

/**
 * Checks an HPA spec and fills in every default, the way the API server does when the object is
 * created: `minReplicas` 1, the default metric, and each unset field of `behavior`.
 *
 * @param downscaleStabilizationSeconds the controller's default scale-down window @default 300
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` naming the field, e.g.
 * ``Expected `spec.maxReplicas` to be an integer >= 1, got `0` (number)``
 * @example
 * resolveHpaSpec({ maxReplicas: 10 }).behavior.scaleDown.stabilizationWindowSeconds // 300
 */
export function resolveHpaSpec(
  spec: HpaSpec,
  downscaleStabilizationSeconds = DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
): ResolvedHpaSpec {
  if (typeof spec !== 'object' || spec === null) {
    throw new InvalidOptionError(
      `Expected \`spec\` to be an HPA spec object, got ${describeValue(spec)}`,
    );
  }
  const metrics = spec.metrics ?? DEFAULT_METRICS;
  if (!Array.isArray(metrics) || metrics.length === 0) {
    throw new InvalidOptionError(
      `Expected \`spec.metrics\` to be a non-empty array, got ${describeValue(spec.metrics)}`,
    );
  }
  for (const [index, metric] of metrics.entries()) checkMetric(metric, `spec.metrics[${index}]`);
  const maxReplicas = checkInteger('spec.maxReplicas', spec.maxReplicas, { min: 1 });
  const scalesToZero = metrics.some((m) => m.type === 'Object' || m.type === 'External');
  const minReplicas = checkInteger('spec.minReplicas', spec.minReplicas ?? 1, {
    min: scalesToZero ? 0 : 1,
    max: maxReplicas,
  });
  return {
    minReplicas,
    maxReplicas,
    metrics: [...metrics],
    behavior: resolveBehavior(spec.behavior, downscaleStabilizationSeconds),
  };
}

/**
 * Fills the unset fields of `behavior` with the defaults (each direction, each field, on its
 * own: setting only `scaleDown.stabilizationWindowSeconds` keeps the default policies).
 * @throws {InvalidOptionError} for a bad window, policy or selectPolicy.
 */
export function resolveBehavior(
  behavior: HpaBehavior | undefined,
  downscaleStabilizationSeconds = DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
): { scaleUp: ResolvedScalingRules; scaleDown: ResolvedScalingRules } {
  return {
    scaleUp: resolveRules(behavior?.scaleUp, DEFAULT_BEHAVIOR.scaleUp, 'scaleUp'),
    scaleDown: resolveRules(
      behavior?.scaleDown,
      { ...DEFAULT_BEHAVIOR.scaleDown, stabilizationWindowSeconds: downscaleStabilizationSeconds },
      'scaleDown',
    ),
  };
}

function resolveRules(
  rules: HpaScalingRules | undefined,
  defaults: ResolvedScalingRules,
  direction: string,
): ResolvedScalingRules {
  const at = `spec.behavior.${direction}`;
  const window = checkInteger(
    `${at}.stabilizationWindowSeconds`,
    rules?.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    { min: 0, max: 3600 },
  );
  const selectPolicy = checkChoice(
    `${at}.selectPolicy`,
    rules?.selectPolicy ?? defaults.selectPolicy,
    ['Max', 'Min', 'Disabled'],
  );
  const policies = rules?.policies ?? defaults.policies;
  if (!Array.isArray(policies) || (policies.length === 0 && selectPolicy !== 'Disabled')) {
    throw new InvalidOptionError(
      `Expected \`${at}.policies\` to be a non-empty array of {type, value, periodSeconds}, got ${describeValue(policies)}`,
    );
  }
  return {
    stabilizationWindowSeconds: window,
    selectPolicy,
    policies: policies.map((policy, index) => checkPolicy(policy, `${at}.policies[${index}]`)),
  };
}

function checkPolicy(policy: HpaScalingPolicy, at: string): HpaScalingPolicy {
  const type = checkChoice(`${at}.type`, policy?.type, ['Pods', 'Percent']);
  const value = checkInteger(`${at}.value`, policy.value, { min: 1 });
  const periodSeconds = checkInteger(`${at}.periodSeconds`, policy.periodSeconds, {
    min: 1,
    max: 1800,
  });
  return { type, value, periodSeconds };
}

function checkMetric(metric: MetricSpec, at: string): void {
  const type = checkChoice(`${at}.type`, metric?.type, ['Resource', 'Pods', 'Object', 'External']);
  const source =
    type === 'Resource'
      ? (metric as { resource?: unknown }).resource
      : type === 'Pods'
        ? (metric as { pods?: unknown }).pods
        : type === 'Object'
          ? (metric as { object?: unknown }).object
          : (metric as { external?: unknown }).external;
  const field = `${at}.${type.toLowerCase()}`;
  if (typeof source !== 'object' || source === null) {
    throw new InvalidOptionError(
      `Expected \`${field}\` to be an object, got ${describeValue(source)}`,
    );
  }
  const target = (source as { target?: Record<string, unknown> }).target;
  const allowed =
    type === 'Resource'
      ? (['Utilization', 'AverageValue'] as const)
      : type === 'Pods'
        ? (['AverageValue'] as const)
        : (['Value', 'AverageValue'] as const);
  const targetType = checkChoice(`${field}.target.type`, target?.type, allowed);
  const valueField =
    targetType === 'Utilization'
      ? 'averageUtilization'
      : targetType === 'Value'
        ? 'value'
        : 'averageValue';
  const rule = targetType === 'Utilization' ? { integer: true, min: 1 } : { min: Number.MIN_VALUE };
  checkNumber(`${field}.target.${valueField}`, target?.[valueField], rule);
}

/** A short name for a metric in messages: `cpu (Resource, Utilization 75)`. */
export function describeMetric(metric: MetricSpec): string {
  switch (metric.type) {
    case 'Resource':
      return `${metric.resource.name} (Resource, ${describeTarget(metric.resource.target)})`;
    case 'Pods':
      return `${metric.pods.metric.name} (Pods, ${describeTarget(metric.pods.target)})`;
    case 'Object':
      return `${metric.object.metric.name} (Object, ${describeTarget(metric.object.target)})`;
    case 'External':
      return `${metric.external.metric.name} (External, ${describeTarget(metric.external.target)})`;
  }
}

function describeTarget(target: {
  type: string;
  averageUtilization?: number;
  averageValue?: number;
  value?: number;
}): string {
  const value = target.averageUtilization ?? target.averageValue ?? target.value;
  return `${target.type} ${value}${target.type === 'Utilization' ? ' %' : ''}`;
}
