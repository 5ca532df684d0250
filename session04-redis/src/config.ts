/**
 * The one module of session 04 that reads `process.env`. Entry points (CLI, demos, worker
 * processes) read their configuration here, once, and pass plain values on.
 */
import { DEFAULT_REDIS_URL, parseRedisUrl } from './connection.ts';

/**
 * The Redis URL from `REDIS_URL`, checked, or the local default.
 * @default 'redis://127.0.0.1:6379'
 * @throws {WorkbookError} `ERR_INVALID_REDIS_URL` when `REDIS_URL` is set but malformed.
 * @example redisUrlFromEnv({ REDIS_URL: 'redis://:secret@10.0.0.5:6379/2' })
 */
export function redisUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.REDIS_URL?.trim() || DEFAULT_REDIS_URL;
  parseRedisUrl(url);
  return url;
}

/**
 * The queue name from `QUEUE`, or `images`: the same name a worker reads, so a shell with
 * `QUEUE=thumbnails` set talks to one queue everywhere.
 * @default 'images'
 */
export function queueFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.QUEUE?.trim() || 'images';
}

/**
 * The Redis URL from `REDIS_URL` when it is set (checked), else `undefined`: for demos that
 * start a private Redis unless the user named one.
 * @throws {WorkbookError} `ERR_INVALID_REDIS_URL` when `REDIS_URL` is set but malformed.
 */
export function redisUrlIfSet(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.REDIS_URL?.trim();
  if (!url) return undefined;
  parseRedisUrl(url);
  return url;
}

/**
 * The folder relative paths on the command line are relative to. `pnpm --filter ... imgq`
 * runs scripts inside the package folder, but sets `INIT_CWD` to where the user typed the
 * command, which is what the user means by `photos/`.
 */
export function invocationDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.INIT_CWD || process.cwd();
}
