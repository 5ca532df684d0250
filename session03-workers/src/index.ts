/**
 * Session 03 · Worker architecture: tasks and results, the TaskQueue interface and its
 * in-memory backend, workers (simple, async, thread pool), structured logging, health and
 * statistics. This file is the package's only public entry (`@workbook/session03`).
 * The TaskQueue contract suite is exported separately, for tests, as `@workbook/session03/testing`.
 */

export { AsyncWorker, type AsyncWorkerOptions, checkConcurrency } from './async-worker.ts';
export { BaseWorker } from './base-worker.ts';
export { DurationStats } from './duration-stats.ts';
export {
  PoolClosedError,
  QueueClosedError,
  type Session03ErrorCode,
  TaskNotProcessingError,
  type WorkerErrorCode,
  WorkerErrorCodes,
  WorkerStateError,
  WorkerThreadCrashedError,
} from './errors.ts';
export {
  createImageProcessor,
  type ImageProcessorOptions,
  processImageTask,
} from './image-processor.ts';
export { InMemoryTaskQueue } from './in-memory-task-queue.ts';
export {
  type CreateLoggerOptions,
  createLogger,
  type Logger,
  type LogLevel,
  silentLogger,
} from './logger.ts';
export {
  checkProcessor,
  type ProcessorWorkerOptions,
  SimpleWorker,
} from './simple-worker.ts';
export {
  completedResult,
  createTask,
  failedResult,
  type NewTask,
  type OutputInfo,
  type ResultMeta,
  type Task,
  type TaskResult,
} from './task.ts';
export type { DequeueOptions, QueueStats, TaskQueue } from './task-queue.ts';
export { type ThreadInfo, ThreadPool, type ThreadPoolOptions } from './thread-pool.ts';
export { ThreadPoolWorker, type ThreadPoolWorkerOptions } from './thread-pool-worker.ts';
export type {
  AbandonedTask,
  BaseWorkerOptions,
  LastError,
  StopReport,
  TaskContext,
  TaskEvent,
  TaskProcessor,
  WorkerEvents,
  WorkerHealth,
  WorkerLifecycle,
  WorkerStats,
  WorkerStatus,
} from './worker-types.ts';
