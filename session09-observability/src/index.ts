/**
 * Session 09 · Advanced monitoring and observability. This file is the package's only public
 * entry (`@workbook/session09`).
 */
export { runImgq, TRACE_USAGE, traceCommand } from './cli/imgq.ts';
export {
  DASHBOARD_PANELS,
  type DashboardPanel,
  expandQuery,
  imgqDashboard,
} from './dashboard.ts';
export {
  type ObservabilityErrorCode,
  ObservabilityErrorCodes,
  PrometheusError,
  TraceContextError,
} from './errors.ts';
export { QUEUE_STATES, QueueExporter, type QueueExporterOptions } from './exporter.ts';
export {
  exporterMain,
  type RunExporterOptions,
  type RunningExporter,
  runExporter,
} from './exporter-main.ts';
export { checkMonitoring, monitoringSchemas } from './k8s-check.ts';
export {
  codeLabel,
  createWorkerMetrics,
  DEFAULT_DURATION_RECORDER,
  type DurationLabels,
  type DurationRecorder,
  METRIC_NAMES,
  QUEUE_WAIT_BUCKETS,
  TASK_DURATION_BUCKETS,
  type TaskOutcome,
  type WorkerMetrics,
  type WorkerMetricsOptions,
} from './metrics.ts';
export {
  defaultProbe,
  type MetricsServer,
  type MetricsServerOptions,
  type ProbeHandler,
  type ProbeResponse,
  startMetricsServer,
} from './metrics-server.ts';
export {
  type ObservedMainIo,
  type ObservedWorkerOptions,
  observedWorkerMain,
  runObservedWorker,
} from './observed-worker.ts';
export {
  createOtelBridge,
  type OtelBridge,
  type OtelBridgeOptions,
  otelBridgeFromEnv,
} from './otel.ts';
export {
  freeLoopbackPort,
  PROMETHEUS_INSTALL_FIX,
  type PrometheusHandle,
  prometheusConfig,
  prometheusVersion,
  type Sample,
  type ScrapeJob,
  type StartPrometheusOptions,
  startPrometheus,
} from './prometheus.ts';
export { checkMetricsText, type PromtoolResult, runPromtool, testRules } from './promtool.ts';
export {
  type AlertRule,
  DEFAULT_THRESHOLDS,
  generatedRuleFiles,
  imgqRuleGroups,
  noLiveWorkersRule,
  prometheusRuleManifest,
  type RecordingRule,
  type RuleGroup,
  type RuleThresholds,
  type RuleUnitTest,
  rulesYaml,
} from './rules.ts';
export {
  formatTaskStory,
  type ReadStoryOptions,
  readTaskStory,
  type StoryEntry,
  type TaskStory,
} from './story.ts';
export {
  type TaskEvent,
  TaskEventLog,
  type TaskEventLogOptions,
  type TaskEventType,
} from './task-events.ts';
export {
  childContext,
  createTraceContext,
  createTraceparent,
  formatTraceparent,
  newSpanId,
  newTraceId,
  parseTraceparent,
  type TraceContext,
} from './trace-context.ts';
export {
  createTaskTracer,
  defaultCarrier,
  type EnqueueTracedOptions,
  enqueueTraced,
  type TaskTracer,
  type TaskTracerOptions,
  type TraceCarrier,
} from './tracing.ts';
