import { existsSync, readFileSync } from 'node:fs';
import type { ChainableCommander, Redis } from 'ioredis';

/** A value passed to a script: Redis receives every ARGV as a string. */
export type ScriptArg = string | number;

/**
 * One Lua script of a queue, loaded from `<dir>/<name>-<numKeys>.lua`, with the NAMES of its
 * keys and arguments in the order the script reads them (`KEYS[1]`, `KEYS[2]`, ... and
 * `ARGV[1]`, ...). Calls pass objects by name ({@link callScript}); the positions come from
 * here, once, so a call cannot swap two arguments or pass one too few.
 */
export interface LuaScript<K extends string, A extends string, R> {
  /** The ioredis command the script is defined as, e.g. `imgqTake`. */
  readonly command: string;
  /** `take-2.lua`. */
  readonly file: string;
  readonly keys: readonly K[];
  readonly args: readonly A[];
  /** Name of the variadic tail (`ids`, `pairs`) when the script takes more ARGV after `args`. */
  readonly rest: string | null;
  /** The source, with `--- @include "name"` lines replaced by `include/<name>.lua`. */
  readonly lua: string;
  /** Phantom: the reply type. */
  readonly reply?: R;
}

/** How a script is declared: `defineScript(dir, 'imgq', 'take-2.lua', { keys, args })`. */
export interface ScriptShape<K extends string, A extends string> {
  keys: readonly K[];
  args: readonly A[];
  /** Name of a variadic tail of ARGV after `args` (e.g. `'ids'`). @default none */
  rest?: string;
}

/**
 * Declares one script. Reads the file (with its includes) at once, and checks that the file
 * name's key count and the header's `KEYS[n]` / `ARGV[n]` lines agree with the declared names,
 * so a script edited without its declaration (or the reverse) fails at start-up, not in Redis.
 *
 * @param dir the folder of the `.lua` files (`new URL('./lua/', import.meta.url)`)
 * @param prefix prefix of the ioredis command name (`imgq` → `imgqTake`)
 * @throws {Error} when the file name, the header and the declaration disagree (a course bug)
 * @example
 * const take = defineScript<'pending' | 'processing', 'taskPrefix' | 'now' | 'count', string[]>(
 *   LUA_DIR, 'imgq', 'take-2.lua', { keys: ['pending', 'processing'], args: ['taskPrefix', 'now', 'count'] });
 */
export function defineScript<K extends string, A extends string, R>(
  dir: URL,
  prefix: string,
  file: string,
  shape: ScriptShape<K, A>,
): LuaScript<K, A, R> {
  const match = /^([a-z][A-Za-z]*)-(\d+)\.lua$/.exec(file);
  if (!match) throw new Error(`Lua script file ${file} must be named <name>-<numKeys>.lua`);
  const name = match[1]!;
  if (Number(match[2]) !== shape.keys.length) {
    throw new Error(`${file} declares ${shape.keys.length} keys; its file name says ${match[2]}`);
  }
  const lua = readWithIncludes(dir, file);
  checkHeader(file, lua, 'KEYS', shape.keys.length, false);
  checkHeader(file, lua, 'ARGV', shape.args.length, shape.rest !== undefined);
  return {
    command: `${prefix}${name[0]!.toUpperCase()}${name.slice(1)}`,
    file,
    keys: shape.keys,
    args: shape.args,
    rest: shape.rest ?? null,
    lua,
  };
}

/**
 * Defines scripts on a client (once per client: a shared client keeps them, and every
 * pipeline of that client can call them). ioredis sends EVALSHA and falls back to EVAL once
 * when Redis does not know the script yet (after a restart, for example).
 */
export function installScripts(
  client: Redis,
  scripts: Iterable<LuaScript<string, string, unknown>>,
): void {
  const commands = client as unknown as Record<string, unknown>;
  for (const script of scripts) {
    if (typeof commands[script.command] === 'function') continue;
    client.defineCommand(script.command, { numberOfKeys: script.keys.length, lua: script.lua });
  }
}

/**
 * Calls a script by its names: `callScript(client, take, { pending, processing }, { now, count })`.
 * On a pipeline the call is queued (read its reply from `exec()`); on a client it resolves
 * with the script's reply.
 */
export function callScript<K extends string, A extends string, R>(
  target: Redis | ChainableCommander,
  script: LuaScript<K, A, R>,
  keys: Readonly<Record<K, string>>,
  args: Readonly<Record<A, ScriptArg>>,
  rest: readonly ScriptArg[] = [],
): Promise<R> {
  const method = (target as unknown as Record<string, (...a: ScriptArg[]) => Promise<R>>)[
    script.command
  ];
  if (typeof method !== 'function') {
    throw new Error(`Script ${script.file} is not installed on this client (installScripts)`);
  }
  const positional: ScriptArg[] = [];
  for (const key of script.keys) positional.push(keys[key]);
  for (const arg of script.args) positional.push(args[arg]);
  positional.push(...rest);
  return method.apply(target, positional);
}

const cache = new Map<string, string>();

/**
 * Session 04's shared Lua helpers (`lua/include/tasks.lua`: how a task is stored and taken):
 * every queue's scripts may include them, so later sessions' scripts build on the same code.
 */
const SHARED_INCLUDES = new URL('../lua/include/', import.meta.url);

/**
 * The file with each `--- @include "name"` line replaced by `<name>.lua` from the script's own
 * `include/` folder, else from session 04's shared one.
 */
function readWithIncludes(dir: URL, file: string): string {
  const url = new URL(file, dir).href;
  let lua = cache.get(url);
  if (lua === undefined) {
    lua = readFileSync(new URL(file, dir), 'utf8').replace(
      /^--- @include "([a-z]+)"$/gm,
      (_, name: string) => readInclude(dir, name),
    );
    cache.set(url, lua);
  }
  return lua;
}

function readInclude(dir: URL, name: string): string {
  for (const folder of [new URL('include/', dir), SHARED_INCLUDES]) {
    const candidate = new URL(`${name}.lua`, folder);
    if (existsSync(candidate)) return readFileSync(candidate, 'utf8');
  }
  throw new Error(`Lua include "${name}" not found in ${dir.pathname}include/ or session 04's`);
}

/**
 * The header documents `KEYS[1]`… and `ARGV[1]`… one per line; their count must match the
 * declaration. A variadic tail is documented as `ARGV[n..]`.
 */
function checkHeader(file: string, lua: string, what: 'KEYS' | 'ARGV', n: number, rest: boolean) {
  const header = /^--\[\[([\s\S]*?)\]\]/.exec(lua)?.[1] ?? '';
  const numbers = [...header.matchAll(new RegExp(`^\\s*${what}\\[(\\d+)(\\.\\.)?`, 'gm'))];
  const fixed = numbers.filter((m) => m[2] === undefined).length;
  const hasRest = numbers.some((m) => m[2] !== undefined);
  if (fixed !== n || hasRest !== rest) {
    throw new Error(
      `${file}: its header documents ${fixed} ${what}${hasRest ? ' and a variadic tail' : ''}, ` +
        `the declaration has ${n}${rest ? ' and a variadic tail' : ''}`,
    );
  }
}
