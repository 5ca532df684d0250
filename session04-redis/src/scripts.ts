import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** The queue's Lua scripts, one file each in `src/lua/`, named `<name>-<numKeys>.lua`. */
const SCRIPT_FILES = [
  'enqueue-3.lua',
  'take-2.lua',
  'start-2.lua',
  'finish-4.lua',
  'requeue-2.lua',
] as const;

type Arg = string | number;

/**
 * The scripts as typed methods. `defineCommand` adds them to the client at run time (sent with
 * EVALSHA, falling back to EVAL once when Redis does not know the script yet).
 */
export interface QueueScripts {
  imgqEnqueue(pending: string, task: string, stats: string, id: Arg, json: Arg): Promise<number>;
  imgqTake(
    pending: string,
    processing: string,
    taskPrefix: Arg,
    now: Arg,
    count: Arg,
  ): Promise<Array<string | number>>;
  imgqStart(processing: string, task: string, id: Arg, now: Arg): Promise<[string, number] | null>;
  imgqFinish(
    processing: string,
    task: string,
    result: string,
    stats: string,
    id: Arg,
    json: Arg,
    status: Arg,
    resultTtlMs: Arg,
    taskTtlMs: Arg,
    token: Arg,
  ): Promise<number>;
  imgqRequeue(
    processing: string,
    pending: string,
    taskPrefix: Arg,
    undoAttempt: Arg,
    ...ids: Arg[]
  ): Promise<number>;
}

/** A client with the queue's scripts defined on it. */
export type ScriptedRedis = Redis & QueueScripts;

/** `take-2.lua` → `{ command: 'imgqTake', numberOfKeys: 2 }`. */
function commandOf(file: string): { command: string; numberOfKeys: number } {
  const match = /^([a-z]+)-(\d+)\.lua$/.exec(file);
  if (!match) throw new Error(`Lua script file ${file} must be named <name>-<numKeys>.lua`);
  const name = match[1]!;
  return {
    command: `imgq${name[0]!.toUpperCase()}${name.slice(1)}`,
    numberOfKeys: Number(match[2]),
  };
}

const sources = new Map<string, string>();

function source(file: string): string {
  let lua = sources.get(file);
  if (lua === undefined) {
    lua = readFileSync(new URL(`./lua/${file}`, import.meta.url), 'utf8');
    sources.set(file, lua);
  }
  return lua;
}

/**
 * Defines the queue's scripts on a client (once per client; a shared client keeps them).
 * The number of keys comes from the file name, so a script and its call cannot disagree.
 */
export function defineQueueScripts(client: Redis): ScriptedRedis {
  const scripted = client as ScriptedRedis;
  for (const file of SCRIPT_FILES) {
    const { command, numberOfKeys } = commandOf(file);
    if (typeof (scripted as unknown as Record<string, unknown>)[command] === 'function') continue;
    client.defineCommand(command, { numberOfKeys, lua: source(file) });
  }
  return scripted;
}
