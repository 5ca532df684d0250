import { WorkbookError } from '@workbook/session01';
import type { Logger } from '@workbook/session03';
import { Redis, type RedisOptions } from 'ioredis';
import { RedisAuthError, RedisErrorCodes, RedisUnavailableError, redactUrl } from './errors.ts';

/** The URL used when neither an option nor `REDIS_URL` names one. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Options of {@link createRedisConnection}. */
export interface RedisConnectionOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]` (or `rediss://` for TLS). The password and the
   * database index in the URL are used.
   * @default 'redis://127.0.0.1:6379'
   */
  url?: string;
  /** Extra ioredis options; they win over the URL and the defaults below. */
  redis?: RedisOptions;
}

/**
 * Reconnect delay after the n-th failed attempt: 50 ms, 100 ms, ... capped at 1 s, and never
 * giving up. A worker must come back by itself when Redis restarts; a short cap means it is
 * back within about a second of Redis.
 */
export function reconnectDelay(attempt: number): number {
  return Math.min(attempt * 50, 1_000);
}

/**
 * Checks a Redis URL and returns it parsed.
 * @throws {WorkbookError} `ERR_INVALID_REDIS_URL` when it is not a `redis://` / `rediss://` URL
 * or its database index is not a whole number.
 */
export function parseRedisUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw invalidUrl(url, 'it is not a URL', cause);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw invalidUrl(url, `the scheme is \`${parsed.protocol}\``);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw invalidUrl(url, `the database index \`${db}\` is not a whole number`);
  }
  return parsed;
}

function invalidUrl(url: string, reason: string, cause?: unknown): WorkbookError {
  return new WorkbookError(
    RedisErrorCodes.INVALID_REDIS_URL,
    `Expected a Redis URL like \`redis://[:password@]host[:port][/db]\`, got \`${redactUrl(url)}\`: ` +
      `${reason}.`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Creates an ioredis client for a queue: URL (password, db) honoured, reconnects forever with
 * a short capped delay, commands issued while Redis is away wait for it (up to 20 reconnect
 * attempts, about 10 s) before they reject. Errors are reported through `onError` instead of
 * ioredis's "Unhandled error event" printout.
 *
 * @throws {WorkbookError} `ERR_INVALID_REDIS_URL` for a malformed URL.
 * @example
 * const client = createRedisConnection({ url: 'redis://:secret@127.0.0.1:6380/2' });
 */
export function createRedisConnection(
  options: RedisConnectionOptions = {},
  onError: (error: Error) => void = () => {},
): Redis {
  const url = options.url ?? DEFAULT_REDIS_URL;
  parseRedisUrl(url);
  const client = new Redis(url, {
    retryStrategy: reconnectDelay,
    maxRetriesPerRequest: 20,
    ...options.redis,
  });
  client.on('error', onError);
  return client;
}

/**
 * Waits until a client is connected and authenticated, or fails fast with the reason:
 * `ERR_REDIS_AUTH` for a refused password, `ERR_REDIS_UNAVAILABLE` when it is not ready
 * within `timeoutMs`. Entry points (CLI, demos) call it once so a missing Redis is reported
 * in seconds, with the fix, instead of commands waiting for it.
 *
 * @throws {RedisUnavailableError | RedisAuthError}
 */
export async function waitUntilReady(client: Redis, url: string, timeoutMs = 3_000): Promise<void> {
  if (client.status === 'ready') return;
  let lastError: Error | undefined;
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onErr);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const onErr = (error: Error) => {
      lastError = error;
      if (isAuthError(error))
        done(new RedisAuthError(url, firstLine(error.message), { cause: error }));
    };
    const timer = setTimeout(() => {
      const reason = lastError ? firstLine(lastError.message) : `not ready after ${timeoutMs} ms`;
      done(new RedisUnavailableError(url, reason, lastError ? { cause: lastError } : undefined));
    }, timeoutMs);
    client.on('ready', onReady);
    client.on('error', onErr);
    if (client.status === 'wait') client.connect().catch(() => {});
  });
}

/** True for the replies Redis gives a client with a missing or wrong password. */
export function isAuthError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /^(NOAUTH|WRONGPASS)\b|invalid password/i.test(message);
}

/** True for errors that mean "Redis is not reachable right now", as opposed to a bad command. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(ECONN|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EPIPE)/.test(code)) {
    return true;
  }
  return /Connection is closed|Stream isn't writeable|enableOfflineQueue|Command timed out/i.test(
    error.message,
  );
}

/**
 * Turns an ioredis error into the course's error family: connection trouble becomes
 * `ERR_REDIS_UNAVAILABLE`, a refused password `ERR_REDIS_AUTH`; anything else is returned as is.
 */
export function toRedisError(error: unknown, url: string): unknown {
  if (error instanceof WorkbookError) return error;
  if (isAuthError(error)) {
    return new RedisAuthError(url, firstLine((error as Error).message), { cause: error });
  }
  if (isConnectionError(error)) {
    return new RedisUnavailableError(url, firstLine((error as Error).message), { cause: error });
  }
  return error;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.slice(0, 160);
}

/** What {@link withWatchdog} resolves with when the promise did not settle in time. */
export const WATCHDOG: unique symbol = Symbol('watchdog');

/**
 * The promise's value, or {@link WATCHDOG} when it has not settled within `ms`. Guards blocking
 * commands on a connection that died silently (no error, no reply).
 */
export async function withWatchdog<T>(
  promise: Promise<T>,
  ms: number,
): Promise<T | typeof WATCHDOG> {
  // The abandoned promise may reject later (when its connection is cut): keep that quiet.
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<typeof WATCHDOG>((resolve) => {
    timer = setTimeout(() => resolve(WATCHDOG), ms);
  });
  try {
    return await Promise.race([promise, watchdog]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A retention time as a Lua argument: Infinity (keep forever) travels as '0'. */
export function ttlArg(ms: number): string {
  return ms === Infinity ? '0' : String(ms);
}

/** The URL of a client someone else created, for messages (password hidden later). */
export function urlOf(client: Redis): string {
  const { host, port, db, password } = client.options;
  const auth = password ? `:${encodeURIComponent(password)}@` : '';
  return `redis://${auth}${host ?? '127.0.0.1'}:${port ?? 6379}/${db ?? 0}`;
}

/**
 * Logs connection errors without flooding: while Redis is down, ioredis reports every failed
 * reconnect (20 a second at first); one warning per distinct message every 5 s is enough.
 */
export function throttledErrorLog(logger: Logger): (error: Error) => void {
  let last = '';
  let lastAt = 0;
  return (error) => {
    const now = Date.now();
    if (error.message === last && now - lastAt < 5_000) return;
    last = error.message;
    lastAt = now;
    logger.warn({ err: error.message }, 'redis connection error (retrying)');
  };
}
