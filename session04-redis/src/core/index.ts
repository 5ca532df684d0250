/**
 * The Redis queue core (`@workbook/session04/core`): the pieces every Redis queue of the course
 * is built from, for later sessions — not part of session 04's student API (`index.ts`).
 *
 * - {@link QueueConnection}: own-or-shared command client, the pool of blocking connections,
 *   the common options checked once, the scripts installed;
 * - {@link BlockingWaits}: blocking in rounds, each guarded by a watchdog, woken by
 *   `close()`/abort (CLIENT UNBLOCK) or nudged to look again;
 * - {@link defineScript} / {@link callScript}: one Lua loader (`--- @include`) with named,
 *   typed keys and arguments;
 * - the task codec and the checks every queue shares (`enqueueBatch`, `checkFinish`, ...);
 * - connection helpers (watchdog, reconnect delay, error mapping).
 */
export { type BlockingConnection, BlockingPool } from '../blocking-pool.ts';
export {
  createRedisConnection,
  isAuthError,
  isConnectionError,
  reconnectDelay,
  sleep,
  throttledErrorLog,
  toRedisError,
  ttlArg,
  urlOf,
  WATCHDOG,
  waitUntilReady,
  withWatchdog,
} from '../connection.ts';
export { BlockingWaits, type Waiter, type WaitRound } from './blocking-waits.ts';
export {
  callScript,
  defineScript,
  installScripts,
  type LuaScript,
  type ScriptArg,
  type ScriptShape,
} from './lua-scripts.ts';
export {
  QUEUE_DEFAULTS,
  QueueConnection,
  type QueueConnectionOptions,
} from './queue-connection.ts';
export { RedisQueueBase } from './redis-queue-base.ts';
export {
  checkFinish,
  decodeTask,
  dequeueOptions,
  encodeTask,
  enqueueBatch,
  notProcessing,
  type StoredTask,
  taskFromHash,
} from './task-codec.ts';
