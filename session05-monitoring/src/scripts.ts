import { defineScript, type ScriptShape } from '@workbook/session04/core';

/**
 * Session 05's Lua scripts, one file each in `src/lua/` (`<name>-<numKeys>.lua`, shared helpers
 * in `lua/include/`), declared with the names of their keys and arguments in the order the
 * script reads them. Calls pass them by name with `callScript` (session 04's loader), so no
 * call passes a dozen positional strings.
 */
const LUA = new URL('./lua/', import.meta.url);

/** One script of this folder, its ioredis command prefixed `rq`. */
function script<K extends string, A extends string, R>(file: string, shape: ScriptShape<K, A>) {
  return defineScript<K, A, R>(LUA, 'rq', file, shape);
}

/** A reply of the fenced scripts: `[outcome, detail?]` (see `include/fence.lua`). */
export type FencedReply = [number, (string | number)?];

/** Stores a task, pushes its id onto pending and rings the doorbell. Reply: 1 added, 0 id taken. */
export const ENQUEUE = script<'pending' | 'task' | 'stats' | 'signal', 'id' | 'data', number>(
  'enqueue-4.lua',
  { keys: ['pending', 'task', 'stats', 'signal'], args: ['id', 'data'] },
);

/** Promotes due retries, then takes up to `count` tasks with leases. */
export const TAKE = script<
  'pending' | 'leases' | 'delayed' | 'signal',
  'taskPrefix' | 'owner' | 'leaseMs' | 'tokenSalt' | 'promote' | 'count',
  Array<string | number>
>('take-4.lua', {
  keys: ['pending', 'leases', 'delayed', 'signal'],
  args: ['taskPrefix', 'owner', 'leaseMs', 'tokenSalt', 'promote', 'count'],
});

/** Stores the result of a task whose lease the caller holds. */
export const COMPLETE = script<
  'leases' | 'task' | 'result' | 'stats',
  'id' | 'token' | 'callToken' | 'result' | 'resultTtlMs' | 'taskTtlMs',
  FencedReply
>('complete-4.lua', {
  keys: ['leases', 'task', 'result', 'stats'],
  args: ['id', 'token', 'callToken', 'result', 'resultTtlMs', 'taskTtlMs'],
});

/** Fails one attempt: a retry after the delay, or the dead letter queue. */
export const FAIL = script<
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
>('fail-8.lua', {
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
export const EXTEND_LEASES = script<'leases', 'taskPrefix' | 'leaseMs', string[]>(
  'extendLeases-1.lua',
  { keys: ['leases'], args: ['taskPrefix', 'leaseMs'], rest: 'pairs' },
);

/** Hands tasks (`id, token` pairs) back to the head of pending. Reply: the ids handed back. */
export const RELEASE_LEASES = script<
  'leases' | 'pending' | 'stats' | 'signal',
  'taskPrefix',
  string[]
>('releaseLeases-4.lua', {
  keys: ['leases', 'pending', 'stats', 'signal'],
  args: ['taskPrefix'],
  rest: 'pairs',
});

/** The recovery pass. Reply: `[requeued, deadLettered, promoted, reapedWorkers]`. */
export const RECOVER = script<
  'leases' | 'pending' | 'delayed' | 'dlq' | 'signal' | 'stats' | 'workers',
  | 'taskPrefix'
  | 'resultPrefix'
  | 'workerPrefix'
  | 'maxAttempts'
  | 'batch'
  | 'resultTtlMs'
  | 'deadRetentionMs',
  [string[], string[], number, string[]]
>('recover-7.lua', {
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
export const RETRY_DEAD = script<
  'dlq' | 'pending' | 'stats' | 'signal',
  'taskPrefix' | 'resultPrefix' | 'keepAttempts' | 'mode' | 'batch',
  [string[], string[]]
>('retryDead-4.lua', {
  keys: ['dlq', 'pending', 'stats', 'signal'],
  args: ['taskPrefix', 'resultPrefix', 'keepAttempts', 'mode', 'batch'],
  rest: 'ids',
});

/** Deletes dead letters (all, or older than an age). Reply: how many. */
export const PURGE_DEAD = script<
  'dlq',
  'taskPrefix' | 'resultPrefix' | 'olderThanMs' | 'batch',
  number
>('purgeDead-1.lua', {
  keys: ['dlq'],
  args: ['taskPrefix', 'resultPrefix', 'olderThanMs', 'batch'],
});

/** One heartbeat of a worker (registry, hash, alive key). */
export const HEARTBEAT = script<'workers' | 'worker' | 'alive', 'id' | 'ttlMs', number>(
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
