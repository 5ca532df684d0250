/**
 * The shapes of the HorizontalPodAutoscaler, `autoscaling/v2`, as plain data: the spec mirrors
 * the Kubernetes API (same field names, so a manifest and the library speak one language), with
 * numbers where the API has quantities (`"500m"` CPU is `0.5` here). Observations are what the
 * controller reads on each sync (metrics per pod, one value per object or external metric), and
 * a decision is what it concludes, with the conditions Kubernetes would set on the object.
 */

/** How a metric's target is expressed. */
export type MetricTargetType = 'Utilization' | 'Value' | 'AverageValue';

/**
 * A metric's target. Exactly the field that matches `type` is used:
 * `Utilization` → `averageUtilization` (percent of the pods' requests, Resource metrics only);
 * `AverageValue` → `averageValue` (per pod); `Value` → `value` (the whole metric, Object and
 * External metrics only).
 */
export interface MetricTarget {
  type: MetricTargetType;
  /** Percent of the request, e.g. `75`. */
  averageUtilization?: number;
  /** Target value per pod (e.g. `5` tasks per worker). */
  averageValue?: number;
  /** Target value of the whole metric. */
  value?: number;
}

/** A resource of the pods themselves (`cpu`, `memory`), read from the resource metrics API. */
export interface ResourceMetricSpec {
  type: 'Resource';
  resource: { name: string; target: MetricTarget };
}

/** A custom metric per pod (e.g. tasks in flight per worker); target `AverageValue`. */
export interface PodsMetricSpec {
  type: 'Pods';
  pods: { metric: { name: string }; target: MetricTarget };
}

/** A metric describing one Kubernetes object (e.g. requests per second of an Ingress). */
export interface ObjectMetricSpec {
  type: 'Object';
  object: {
    metric: { name: string };
    describedObject?: { apiVersion?: string; kind: string; name: string };
    target: MetricTarget;
  };
}

/** A metric from outside the cluster (e.g. the length of a Redis list, fed by KEDA). */
export interface ExternalMetricSpec {
  type: 'External';
  external: { metric: { name: string }; target: MetricTarget };
}

/** One entry of `spec.metrics`. */
export type MetricSpec =
  | ResourceMetricSpec
  | PodsMetricSpec
  | ObjectMetricSpec
  | ExternalMetricSpec;

/** `Pods`: at most `value` pods per period; `Percent`: at most `value` % of the replicas. */
export interface HpaScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  /** How far back the policy looks (1-1800 s). */
  periodSeconds: number;
}

/** Which policy wins: the one allowing the most change, the least, or none (no scaling). */
export type SelectPolicy = 'Max' | 'Min' | 'Disabled';

/** `spec.behavior.scaleUp` / `scaleDown`. Unset fields take the documented defaults. */
export interface HpaScalingRules {
  /** @default 0 for scaleUp, 300 for scaleDown */
  stabilizationWindowSeconds?: number;
  /** @default 'Max' */
  selectPolicy?: SelectPolicy;
  /** @default up: 4 Pods and 100 Percent per 15 s; down: 100 Percent per 15 s */
  policies?: HpaScalingPolicy[];
}

/** `spec.behavior`. */
export interface HpaBehavior {
  scaleUp?: HpaScalingRules;
  scaleDown?: HpaScalingRules;
}

/** `spec` of a HorizontalPodAutoscaler (without `scaleTargetRef`, which names the Deployment). */
export interface HpaSpec {
  /** 0 only with an Object or External metric (scale to zero). @default 1 */
  minReplicas?: number;
  maxReplicas: number;
  /** @default one metric: cpu Utilization 80 % (what `kubectl autoscale` sets) */
  metrics?: MetricSpec[];
  behavior?: HpaBehavior;
}

/** Scaling rules with every default filled in. */
export interface ResolvedScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: SelectPolicy;
  policies: HpaScalingPolicy[];
}

/** An {@link HpaSpec} with every default filled in. */
export interface ResolvedHpaSpec {
  minReplicas: number;
  maxReplicas: number;
  metrics: MetricSpec[];
  behavior: { scaleUp: ResolvedScalingRules; scaleDown: ResolvedScalingRules };
}

// ---- observations ---------------------------------------------------------------------------

/** What the controller knows of one pod for a per-pod metric (Resource or Pods). */
export interface PodSample {
  /** For messages. @default `pod-<index>` */
  name?: string;
  /** The pod's metric value (CPU cores, tasks, …); absent when the metrics API has none. */
  value?: number;
  /** The pod's request of the resource, same unit as `value` (needed for `Utilization`). */
  request?: number;
  /**
   * `false` while the pod is not yet ready (see `cpuSampleReadiness`). Only CPU metrics set
   * unready pods aside. @default true
   */
  ready?: boolean;
  /** `Pending` pods are set aside as unready, `Failed` ones discarded. @default 'Running' */
  phase?: 'Running' | 'Pending' | 'Failed' | 'Succeeded';
  /** The pod has a deletion timestamp (shutting down): ignored. @default false */
  deleting?: boolean;
}

/** The per-pod values of a Resource or Pods metric. */
export interface PodMetricObservation {
  pods: PodSample[];
}

/** The value of an Object metric, or the sum of an External metric's series. */
export interface ValueMetricObservation {
  value: number;
}

/** The metric could not be read (the metrics API failed): no proposal from it. */
export interface FailedMetricObservation {
  error: string;
}

/** What was read for one entry of `spec.metrics` (same order). */
export type MetricObservation =
  | PodMetricObservation
  | ValueMetricObservation
  | FailedMetricObservation;

/** Everything one sync of the controller reads. */
export interface HpaObservation {
  /** The target's `spec.replicas`: what the HPA last asked for. */
  currentReplicas: number;
  /** The target's `status.replicas` (pods that exist). @default currentReplicas */
  statusReplicas?: number;
  /** Running and ready pods (Object/External `Value` targets multiply by it). @default statusReplicas */
  readyReplicas?: number;
  /** One observation per `spec.metrics` entry, in the same order. */
  metrics: MetricObservation[];
}

// ---- decisions ------------------------------------------------------------------------------

/** The three conditions an HPA reports in `status.conditions`. */
export type HpaConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

/** One condition, as `kubectl describe hpa` shows it. */
export interface HpaCondition {
  type: HpaConditionType;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** What one metric proposes. */
export interface MetricProposal {
  /** e.g. `cpu (Resource, Utilization 75)`. */
  metric: string;
  /** Replicas this metric asks for, or `null` when it could not be computed. */
  replicas: number | null;
  /** The current value the status reports (utilization %, average, or value). */
  currentValue?: number;
  /** current / target, before missing and unready pods were accounted for. */
  usageRatio?: number;
  /** Why this number: `ratio 1.20 × 50 ready pods`, `within tolerance`, … */
  detail: string;
  /** Set when the metric could not be read or computed. */
  error?: string;
}

/** A past recommendation, remembered for the stabilization windows. */
export interface TimedRecommendation {
  /** When it was made (ms, the caller's clock). */
  at: number;
  replicas: number;
}

/** A past scaling action, remembered for the rate policies. */
export interface ScaleEvent {
  at: number;
  /** Pods added (scale-up events) or removed (scale-down events), positive. */
  change: number;
}

/** What the controller remembers between syncs (immutable: each step returns a new one). */
export interface HpaState {
  recommendations: readonly TimedRecommendation[];
  scaleUpEvents: readonly ScaleEvent[];
  scaleDownEvents: readonly ScaleEvent[];
}

/** The outcome of one sync. */
export interface HpaDecision {
  /** When (ms, the caller's clock). */
  at: number;
  currentReplicas: number;
  /** The replica count to set on the target (equal to current when nothing changes). */
  desiredReplicas: number;
  /** The largest metric proposal, before stabilization and limits (`null`: none computed). */
  metricReplicas: number | null;
  /** After the stabilization windows, before the rate policies and min/max. */
  stabilizedReplicas: number;
  /** Whether the target is scaled (desired ≠ current). */
  rescale: boolean;
  /** One line: why the replica count is what it is. */
  reason: string;
  proposals: MetricProposal[];
  conditions: HpaCondition[];
}

/** Options of the controller itself (kube-controller-manager flags). */
export interface HpaControllerOptions {
  /**
   * `--horizontal-pod-autoscaler-tolerance`: no scaling while |1 − ratio| ≤ tolerance.
   * @default 0.1
   */
  tolerance?: number;
  /**
   * `--horizontal-pod-autoscaler-downscale-stabilization`, used when `scaleDown` sets no
   * window, in seconds. @default 300
   */
  downscaleStabilizationSeconds?: number;
}
