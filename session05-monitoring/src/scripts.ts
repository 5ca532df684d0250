import { defineScript } from '@workbook/session04/core';

/**
 * Session 05's Lua scripts, one file each in `src/lua/` (`<name>-<numKeys>.lua`, shared helpers
 * in `lua/include/`), declared with the names of their keys and arguments in the order the
 * script reads them. Calls pass them by name with `callScript` (session 04's loader), so no
 * call passes a dozen positional strings.
 */
const LUA = new URL('./lua/', import.meta.url);

/** A reply of the fenced scripts: `[outcome, detail?]` (see `include/fence.lua`). */
export type FencedReply = [number, (string | number)?];

/** Stores a task, pushes its id onto pending and rings the doorbell. Reply: 1 added, 0 id taken. */
export const ENQUEUE = defineScript<'pending' | 'task' | 'stats' | 'signal', 'id' | 'data', number>(
  LUA,
  'rq',
  'enqueue-4.lua',
  { keys: ['pending', 'task', 'stats', 'signal'], args: ['id', 'data'] },
);

/** Promotes due retries, then takes up to `count` tasks with leases. */
export const TAKE = defineScript<
  'pending' | 'leases' | 'delayed' | 'signal',
  'taskPrefix' | 'owner' | 'leaseMs' | 'tokenSalt' | 'promote' | 'count',
  Array<string | number>
>(LUA, 'rq', 'take-4.lua', {
  keys: ['pending', 'leases', 'delayed', 'signal'],
  args: ['taskPrefix', 'owner', 'leaseMs', 'tokenSalt', 'promote', 'count'],
});

/** Stores the result of a task whose lease the caller holds. */
export const COMPLETE = defineScript<
  'leases' | 'task' | 'result' | 'stats',
  'id' | 'token' | 'callToken' | 'result' | 'resultTtlMs' | 'taskTtlMs',
  FencedReply
>(LUA, 'rq', 'complete-4.lua', {
  keys: ['leases', 'task', 'result', 'stats'],
  args: ['id', 'token', 'callToken', 'result', 'resultTtlMs', 'taskTtlMs'],
});

/** Fails one attempt: a retry after the delay, or the dead letter queue. */
export const FAIL = defineScript<
  'leases' | 'delayed' | 'pending' | 'dlq' | 'task' | 'result' | 'stats' | 'signal',
  | 'id'
  | 'token'
  | 'callToken'
  | 'result'
  | 'error'
  | 'retryable'
  | 'maxAttempts'
  | 'delayMs'
  | 'workerId'
  | 'resultTtlMs',
  FencedReply
>(LUA, 'rq', 'fail-8.lua', {
  keys: ['leases', 'delayed', 'pending', 'dlq', 'task', 'result', 'stats', 'signal'],
  args: [
    'id',
    'token',
    'callToken',
    'result',
    'error',
    'retryable',
    'maxAttempts',
    'delayMs',
    'workerId',
    'resultTtlMs',
  ],
});

/** Extends the leases given as `id, token` pairs. Reply: the ids whose lease was lost. */
export const EXTEND_LEASES = defineScript<'leases', 'taskPrefix' | 'leaseMs', string[]>(
  LUA,
  'rq',
  'extendLeases-1.lua',
  { keys: ['leases'], args: ['taskPrefix', 'leaseMs'], rest: 'pairs' },
);

/** Hands tasks (`id, token` pairs) back to the head of pending. Reply: the ids handed back. */
export const RELEASE_LEASES = defineScript<
  'leases' | 'pending' | 'stats' | 'signal',
  'taskPrefix',
  string[]
>(LUA, 'rq', 'releaseLeases-4.lua', {
  keys: ['leases', 'pending', 'stats', 'signal'],
  args: ['taskPrefix'],
  rest: 'pairs',
});

/** The recovery pass. Reply: `[requeued, deadLettered, promoted, reapedWorkers]`. */
export const RECOVER = defineScript<
  'leases' | 'pending' | 'delayed' | 'dlq' | 'signal' | 'stats' | 'workers',
  | 'taskPrefix'
  | 'resultPrefix'
  | 'workerPrefix'
  | 'maxAttempts'
  | 'batch'
  | 'resultTtlMs'
  | 'deadRetentionMs',
  [string[], string[], number, string[]]
>(LUA, 'rq', 'recover-7.lua', {
  keys: ['leases', 'pending', 'delayed', 'dlq', 'signal', 'stats', 'workers'],
  args: [
    'taskPrefix',
    'resultPrefix',
    'workerPrefix',
    'maxAttempts',
    'batch',
    'resultTtlMs',
    'deadRetentionMs',
  ],
});

/** Moves dead letters back to pending. Reply: `[retried, missing]`. */
export const RETRY_DEAD = defineScript<
  'dlq' | 'pending' | 'stats' | 'signal',
  'taskPrefix' | 'resultPrefix' | 'keepAttempts' | 'mode' | 'batch',
  [string[], string[]]
>(LUA, 'rq', 'retryDead-4.lua', {
  keys: ['dlq', 'pending', 'stats', 'signal'],
  args: ['taskPrefix', 'resultPrefix', 'keepAttempts', 'mode', 'batch'],
  rest: 'ids',
});

/** Deletes dead letters (all, or older than an age). Reply: how many. */
export const PURGE_DEAD = defineScript<
  'dlq',
  'taskPrefix' | 'resultPrefix' | 'olderThanMs' | 'batch',
  number
>(LUA, 'rq', 'purgeDead-1.lua', {
  keys: ['dlq'],
  args: ['taskPrefix', 'resultPrefix', 'olderThanMs', 'batch'],
});

/** One heartbeat of a worker (registry, hash, alive key). */
export const HEARTBEAT = defineScript<'workers' | 'worker' | 'alive', 'id' | 'ttlMs', number>(
  LUA,
  'rq',
  'heartbeat-3.lua',
  { keys: ['workers', 'worker', 'alive'], args: ['id', 'ttlMs'], rest: 'fields' },
);

/** The scripts a reliable queue installs on its client. */
export const QUEUE_SCRIPTS = [
  ENQUEUE,
  TAKE,
  COMPLETE,
  FAIL,
  EXTEND_LEASES,
  RELEASE_LEASES,
  RECOVER,
  RETRY_DEAD,
  PURGE_DEAD,
] as const;
