import { defineScript, type ScriptShape } from './core/lua-scripts.ts';

/**
 * Session 04's Lua scripts, one file each in `src/lua/`, named `<name>-<numKeys>.lua`, declared
 * with the names of their keys and arguments (in the order the script reads them). Calls pass
 * them by name with `callScript`.
 */
const LUA = new URL('./lua/', import.meta.url);

/** One script of this folder, its ioredis command prefixed `imgq`. */
function script<K extends string, A extends string, R>(file: string, shape: ScriptShape<K, A>) {
  return defineScript<K, A, R>(LUA, 'imgq', file, shape);
}

/** Stores a task and pushes its id onto pending, unless the id is taken. Reply: 1 added, 0 taken. */
export const ENQUEUE = script<'pending' | 'task' | 'stats', 'id' | 'data', number>(
  'enqueue-3.lua',
  { keys: ['pending', 'task', 'stats'], args: ['id', 'data'] },
);

/** Moves up to `count` ids from pending to processing and marks them started. */
export const TAKE = script<
  'pending' | 'processing',
  'taskPrefix' | 'now' | 'count',
  Array<string | number>
>('take-2.lua', {
  keys: ['pending', 'processing'],
  args: ['taskPrefix', 'now', 'count'],
});

/** Marks a task delivered by BLMOVE as started. Reply: `[data, attempts]`, or null. */
export const START = script<'processing' | 'task', 'id' | 'now', [string, number] | null>(
  'start-2.lua',
  { keys: ['processing', 'task'], args: ['id', 'now'] },
);

/** Acks or fails a delivered task. Reply: 1 done, -1 already finished, 0 never delivered. */
export const FINISH = script<
  'processing' | 'task' | 'result' | 'stats',
  'id' | 'result' | 'status' | 'resultTtlMs' | 'taskTtlMs' | 'token',
  number
>('finish-4.lua', {
  keys: ['processing', 'task', 'result', 'stats'],
  args: ['id', 'result', 'status', 'resultTtlMs', 'taskTtlMs', 'token'],
});

/** Puts delivered ids back at the head of pending, in order. */
export const REQUEUE = script<'processing' | 'pending', 'taskPrefix' | 'undoAttempt', number>(
  'requeue-2.lua',
  { keys: ['processing', 'pending'], args: ['taskPrefix', 'undoAttempt'], rest: 'ids' },
);

/** Every script of session 04's queue, for `installScripts`. */
export const QUEUE_SCRIPTS = [ENQUEUE, TAKE, START, FINISH, REQUEUE] as const;
