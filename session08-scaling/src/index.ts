/**
 * Session 08 · Scaling in Kubernetes. This file is the package's only public entry
 * (`@workbook/session08`): the HPA algorithm (autoscaling/v2) and KEDA's Redis list scaler as
 * pure libraries, the local autoscaler that scales real worker processes with them, the load
 * generator, the chart, and the autoscaling rules for session 07's manifest checker.
 */
export { type Clock, CompressedClock } from './autoscaler/clock.ts';
export {
  type ContainerDriverOptions,
  ContainerReplicaDriver,
  type ContainerStack,
} from './autoscaler/container-driver.ts';
export {
  clockText,
  decisionText,
  modelText,
  renderAutoscalerLine,
  renderAutoscalerView,
  type ViewOptions,
} from './autoscaler/live-view.ts';
export {
  type AutoscalerSnapshot,
  LocalAutoscaler,
  type LocalAutoscalerOptions,
  queueScaledObject,
  type TimelineDecision,
  type TimelineSample,
} from './autoscaler/local-autoscaler.ts';
export {
  type ProcessDriverOptions,
  ProcessReplicaDriver,
  processCpuSeconds,
  type ReplicaEvent,
  workerEntry,
} from './autoscaler/process-driver.ts';
export {
  countReplicas,
  type ReplicaCounts,
  type ReplicaDriver,
  type ReplicaInfo,
  type ReplicaState,
  workerSeconds,
} from './autoscaler/replica-driver.ts';
export { type ChartOptions, scalingChartSvg, writeScalingChart } from './chart/scaling-chart.ts';
export { ReplicaError, type ScalingErrorCode, ScalingErrorCodes } from './errors.ts';
export {
  changeInPeriod,
  limitRate,
  type RateLimited,
  recordScaleEvent,
  type Stabilized,
  scaleDownLimit,
  scaleUpLimit,
  stabilize,
} from './hpa/behavior.ts';
export {
  conditionOf,
  HorizontalPodAutoscaler,
  type HpaStepResult,
  hpaStep,
  initialHpaState,
} from './hpa/controller.ts';
export { cpuSampleCounts, type PodTimeline, type ReadinessOptions } from './hpa/pod-readiness.ts';
export { groupPods, proposeReplicas, type ReplicaContext } from './hpa/replica-calculator.ts';
export {
  DEFAULT_BEHAVIOR,
  DEFAULT_CPU_INITIALIZATION_PERIOD_MS,
  DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
  DEFAULT_INITIAL_READINESS_DELAY_MS,
  DEFAULT_METRICS,
  DEFAULT_SYNC_PERIOD_MS,
  DEFAULT_TOLERANCE,
  describeMetric,
  resolveBehavior,
  resolveHpaSpec,
} from './hpa/spec.ts';
export type {
  ExternalMetricSpec,
  FailedMetricObservation,
  HpaBehavior,
  HpaCondition,
  HpaConditionType,
  HpaControllerOptions,
  HpaDecision,
  HpaObservation,
  HpaScalingPolicy,
  HpaScalingRules,
  HpaSpec,
  HpaState,
  MetricObservation,
  MetricProposal,
  MetricSpec,
  MetricTarget,
  MetricTargetType,
  ObjectMetricSpec,
  PodMetricObservation,
  PodSample,
  PodsMetricSpec,
  ResolvedHpaSpec,
  ResolvedScalingRules,
  ResourceMetricSpec,
  ScaleEvent,
  SelectPolicy,
  TimedRecommendation,
  ValueMetricObservation,
} from './hpa/types.ts';
export {
  DEFAULT_ACTIVATION_LIST_LENGTH,
  DEFAULT_LIST_LENGTH,
  parseRedisListTrigger,
  type RedisListTrigger,
  type RedisListTriggerMetadata,
  redisListIsActive,
  redisListMetricSpec,
  redisListReplicas,
} from './keda/redis-list-scaler.ts';
export {
  initialKedaState,
  KEDA_DEFAULTS,
  type KedaDecision,
  type KedaState,
  kedaHpaSpec,
  kedaPoll,
  type ResolvedScaledObject,
  resolveScaledObject,
  type ScaledObjectSpec,
} from './keda/scaled-object.ts';
export {
  ScaledObjectController,
  type ScaledObjectControllerOptions,
  type ScalingInput,
  type ScalingStep,
} from './keda/scaled-object-controller.ts';
export {
  checkPattern,
  LOAD_PIPELINE,
  type LoadOptions,
  type LoadPattern,
  type LoadReport,
  patternDurationMs,
  patternTotal,
  runLoad,
  tasksDueBy,
} from './load/load-generator.ts';
export {
  AUTOSCALING_RULES,
  autoscaledRolloutKeepsCapacity,
  oneAutoscalerPerWorkload,
  redisTriggerMetadata,
  redisTriggerWatchesQueue,
  scaledObjectTargetExists,
  utilizationNeedsRequests,
} from './manifests/autoscaling-rules.ts';
export { checkAutoscaling, kedaSchemas } from './manifests/check.ts';
