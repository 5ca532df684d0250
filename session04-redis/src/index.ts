/**
 * Session 04 · Redis task queues: the TaskQueue of session 03 on Redis (reliable dequeue with
 * BLMOVE, atomic ack with Lua, retention, persistence), workers on it, several worker processes,
 * and the `imgq` command line. This file is the package's only public entry
 * (`@workbook/session04`).
 */

export { type BlockingConnection, BlockingPool } from './blocking-pool.ts';
export {
  type CliConfig,
  LOG_LEVELS,
  type LogLevel,
  noPositionals,
  parseCli,
  parseLogLevel,
  parseStrict,
  redisAndQueue,
} from './cli/args.ts';
export { type CliIo, EXIT_NOT_READY, enqueueCommand, resultCommand } from './cli/commands.ts';
export { EXIT_USAGE, reportCliError } from './cli/report.ts';
export { invocationDir, redisUrlFromEnv } from './config.ts';
export {
  checkDuration,
  createRedisConnection,
  DEFAULT_REDIS_URL,
  isAuthError,
  isConnectionError,
  parseRedisUrl,
  type RedisConnectionOptions,
  reconnectDelay,
  sleep,
  throttledErrorLog,
  toRedisError,
  ttlArg,
  urlOf,
  WATCHDOG,
  waitUntilReady,
  withWatchdog,
} from './connection.ts';
export {
  BadArgumentError,
  REDIS_UNAVAILABLE_FIX,
  RedisAuthError,
  type RedisErrorCode,
  RedisErrorCodes,
  RedisUnavailableError,
  redactUrl,
} from './errors.ts';
export { type QueueKeys, queueKeys } from './keys.ts';
export {
  conditionFlags,
  formatLaunchSummary,
  IMGQ_CLI,
  type LaunchedWorkers,
  type LaunchSummary,
  type LaunchWorkersOptions,
  launchWorkers,
  type WorkerLine,
  type WorkerProcessSummary,
} from './launcher.ts';
export {
  RedisTaskQueue,
  type RedisTaskQueueOptions,
  type TaskRecord,
} from './redis-task-queue.ts';
export { createRedisWorker, type RedisWorkerOptions } from './redis-worker.ts';
