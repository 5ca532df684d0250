/**
 * Session 05 · Health checks, auto-recovery and monitoring. This file is the package's only
 * public entry (`@workbook/session05`).
 */
export {
  type BackoffOptions,
  backoffRange,
  computeBackoff,
  DEFAULT_BACKOFF,
  JITTER_MODES,
  type Jitter,
  type ResolvedBackoff,
  resolveBackoff,
} from './backoff.ts';
export { runImgq } from './cli/imgq.ts';
export { DeadLetters } from './dead-letters.ts';
export {
  DeadLetterNotFoundError,
  LeaseLostError,
  type ReliabilityErrorCode,
  ReliabilityErrorCodes,
  type Session05ErrorCode,
  UnrecoverableTaskError,
} from './errors.ts';
export { type HealthServer, startHealthServer } from './health-server.ts';
export { checkWorkerId, type ReliableKeys, reliableKeys } from './keys.ts';
export {
  type MonitorSnapshot,
  type RenderOptions,
  renderMonitor,
  renderMonitorLine,
  ThroughputMeter,
  takeSnapshot,
  visibleLength,
} from './monitor.ts';
export {
  type MonitorInput,
  type MonitorMode,
  type MonitorOutput,
  type RunMonitorOptions,
  type RunningMonitor,
  runMonitor,
} from './monitor-screen.ts';
export { QueueInspector, type QueueInspectorOptions } from './queue-inspector.ts';
export type {
  DeadLetterEntry,
  DeadLetterPage,
  DeadReason,
  FailOutcome,
  HeldTask,
  LeasedTask,
  LeaseInfo,
  QueueCounts,
  RecoveryReport,
  ReliableQueueEvents,
  TaskRecord,
  TaskState,
} from './queue-types.ts';
export type { BackoffFunction, ReliableTaskQueueOptions } from './reliable-options.ts';
export { ReliableTaskQueue } from './reliable-task-queue.ts';
export { ReliableWorker, type ReliableWorkerOptions } from './reliable-worker.ts';
export { checkCodes, isRetryable, NON_RETRYABLE_CODES } from './retry-policy.ts';
export { runWorkerProcess, type WorkerProcessOptions } from './run-worker.ts';
export {
  type GracefulShutdown,
  type GracefulShutdownOptions,
  installGracefulShutdown,
  type SignalSource,
} from './shutdown.ts';
export {
  defaultWorkerId,
  envName,
  flagName,
  loadWorkerConfig,
  WORKER_SETTINGS,
  type WorkerConfig,
  type WorkerSettingName,
} from './worker-config.ts';
export { type MainIo, workerMain } from './worker-main.ts';
export {
  createWorkerProcess,
  type WorkerHealth,
  type WorkerProcess,
  type WorkerProcessParts,
  type WorkerProcessStatus,
} from './worker-process.ts';
export {
  type CurrentTask,
  type WorkerInfo,
  type WorkerRegistration,
  WorkerRegistry,
  type WorkerRegistryOptions,
  type WorkerReport,
} from './worker-registry.ts';
