/**
 * Session 04 · Redis task queues: the TaskQueue of session 03 on Redis (reliable dequeue with
 * BLMOVE, atomic ack with Lua, retention, persistence), workers on it, several worker processes,
 * and the `imgq` command line. This file is the session's student API (`@workbook/session04`);
 * the queue core that later sessions build on is `@workbook/session04/core`, the command-line
 * pieces `@workbook/session04/cli`.
 */

export { invocationDir, redisUrlFromEnv } from './config.ts';
export { DEFAULT_REDIS_URL, parseRedisUrl, type RedisConnectionOptions } from './connection.ts';
export {
  BadArgumentError,
  DuplicateTaskError,
  REDIS_UNAVAILABLE_FIX,
  RedisAuthError,
  type RedisErrorCode,
  RedisErrorCodes,
  RedisUnavailableError,
  redactUrl,
  type Session04ErrorCode,
  TaskNotFoundError,
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
