import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * Session 05's Lua scripts, one file each in `src/lua/`, named `<name>-<numKeys>.lua` (the
 * number of KEYS comes from the file name, so a script and its call cannot disagree).
 */
export const SCRIPT_FILES = [
  'enqueue-4.lua',
  'take-4.lua',
  'complete-4.lua',
  'fail-8.lua',
  'extendLeases-1.lua',
  'releaseLeases-4.lua',
  'recover-7.lua',
  'retryDead-4.lua',
  'purgeDead-1.lua',
  'heartbeat-3.lua',
] as const;

type Arg = string | number;

/** A reply of the fenced scripts: `[outcome, detail?]` (see `include/fence.lua`). */
export type FencedReply = [number, (string | number)?];

/**
 * The scripts as typed methods on an ioredis client. `defineCommand` adds them at run time;
 * ioredis sends EVALSHA and falls back to EVAL once when Redis does not know the script yet
 * (after a restart, for example).
 */
export interface ReliableScripts {
  rqEnqueue(
    pending: string,
    task: string,
    stats: string,
    signal: string,
    ...args: Arg[]
  ): Promise<number>;
  rqTake(
    pending: string,
    leases: string,
    delayed: string,
    signal: string,
    ...args: Arg[]
  ): Promise<Array<string | number>>;
  rqComplete(
    leases: string,
    task: string,
    result: string,
    stats: string,
    ...args: Arg[]
  ): Promise<FencedReply>;
  rqFail(
    leases: string,
    delayed: string,
    pending: string,
    dlq: string,
    task: string,
    result: string,
    stats: string,
    signal: string,
    ...args: Arg[]
  ): Promise<FencedReply>;
  rqExtendLeases(leases: string, ...args: Arg[]): Promise<string[]>;
  rqReleaseLeases(
    leases: string,
    pending: string,
    stats: string,
    signal: string,
    ...args: Arg[]
  ): Promise<string[]>;
  rqRecover(
    leases: string,
    pending: string,
    delayed: string,
    dlq: string,
    signal: string,
    stats: string,
    workers: string,
    ...args: Arg[]
  ): Promise<[string[], string[], number, string[]]>;
  rqRetryDead(
    dlq: string,
    pending: string,
    stats: string,
    signal: string,
    ...args: Arg[]
  ): Promise<[string[], string[]]>;
  rqPurgeDead(dlq: string, ...args: Arg[]): Promise<number>;
  rqHeartbeat(workers: string, info: string, alive: string, ...args: Arg[]): Promise<number>;
}

/** A client with session 05's scripts defined on it. */
export type ScriptedRedis = Redis & ReliableScripts;

/** `retryDead-4.lua` → `{ command: 'rqRetryDead', numberOfKeys: 4 }`. */
export function commandOf(file: string): { command: string; numberOfKeys: number } {
  const match = /^([a-z][A-Za-z]*)-(\d+)\.lua$/.exec(file);
  if (!match) throw new Error(`Lua script file ${file} must be named <name>-<numKeys>.lua`);
  const name = match[1]!;
  return { command: `rq${name[0]!.toUpperCase()}${name.slice(1)}`, numberOfKeys: Number(match[2]) };
}

const sources = new Map<string, string>();

/**
 * The source of a script with its `--- @include "name"` lines replaced by `lua/include/<name>.lua`
 * (shared helpers: the Redis clock, the doorbell, the fencing check). Each include is inlined
 * once per script.
 */
export function scriptSource(file: string): string {
  let lua = sources.get(file);
  if (lua === undefined) {
    lua = readLua(file).replace(/^--- @include "([a-z]+)"$/gm, (_, name: string) =>
      readLua(`include/${name}.lua`),
    );
    sources.set(file, lua);
  }
  return lua;
}

function readLua(file: string): string {
  return readFileSync(new URL(`./lua/${file}`, import.meta.url), 'utf8');
}

/** Defines the scripts on a client (once per client; a shared client keeps them). */
export function defineReliableScripts(client: Redis): ScriptedRedis {
  const scripted = client as ScriptedRedis;
  for (const file of SCRIPT_FILES) {
    const { command, numberOfKeys } = commandOf(file);
    if (typeof (scripted as unknown as Record<string, unknown>)[command] === 'function') continue;
    client.defineCommand(command, { numberOfKeys, lua: scriptSource(file) });
  }
  return scripted;
}
