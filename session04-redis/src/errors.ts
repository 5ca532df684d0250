import { WorkbookError } from '@workbook/session01';
import type { Session03ErrorCode } from '@workbook/session03';

/** Codes added by session 04 (the README's errors table lists each with its fix). */
export const RedisErrorCodes = {
  /** Redis could not be reached (refused, timed out, or it stayed down too long). */
  REDIS_UNAVAILABLE: 'ERR_REDIS_UNAVAILABLE',
  /** Redis refused the credentials (missing or wrong password / user). */
  REDIS_AUTH: 'ERR_REDIS_AUTH',
  /** `REDIS_URL` (or `--redis-url`) is not a `redis://` URL. */
  INVALID_REDIS_URL: 'ERR_INVALID_REDIS_URL',
  /** A command-line argument or option is missing or invalid. */
  BAD_ARGUMENT: 'ERR_BAD_ARGUMENT',
  /** A task with this id is already stored in the queue. */
  DUPLICATE_TASK: 'ERR_DUPLICATE_TASK',
  /** No task (or result) with this id is stored in the queue. */
  TASK_NOT_FOUND: 'ERR_TASK_NOT_FOUND',
  /** A worker process started by the launcher could not be started. */
  LAUNCH_FAILED: 'ERR_LAUNCH_FAILED',
} as const;

export type RedisErrorCode = (typeof RedisErrorCodes)[keyof typeof RedisErrorCodes];

/**
 * Every code the library of sessions 01-04 can throw: session 03's codes plus session 04's.
 */
export type Session04ErrorCode = Session03ErrorCode | RedisErrorCode;

/** A task with this id is already stored in the queue (producers may choose ids). */
export class DuplicateTaskError extends WorkbookError<typeof RedisErrorCodes.DUPLICATE_TASK> {
  override name = 'DuplicateTaskError';
  constructor(id: string, queue: string) {
    super(
      RedisErrorCodes.DUPLICATE_TASK,
      `Cannot enqueue task \`${id}\`: a task with this id is already stored in queue ` +
        `\`${queue}\`. Leave \`id\` out to get a fresh UUID.`,
    );
  }
}

/** No task (or result) with this id is stored: never queued here, or expired after its TTL. */
export class TaskNotFoundError extends WorkbookError<typeof RedisErrorCodes.TASK_NOT_FOUND> {
  override name = 'TaskNotFoundError';
  constructor(id: string, queue: string) {
    super(
      RedisErrorCodes.TASK_NOT_FOUND,
      `No task \`${id}\` in queue \`${queue}\`: the id is wrong, the queue is another ` +
        '(--queue), or its result expired (results are kept 24 h by default).',
    );
  }
}

/** What to do when Redis cannot be reached; part of every {@link RedisUnavailableError}. */
export const REDIS_UNAVAILABLE_FIX =
  'Start a Redis server (`redis-server --port 6379`, or `sudo apt-get install -y redis-server` / ' +
  '`brew install redis` first) or point REDIS_URL (or --redis-url) at one you own, e.g. ' +
  '`REDIS_URL=redis://127.0.0.1:6379/0`. `pnpm run doctor` checks it.';

/**
 * Redis is down, unreachable, or stayed away longer than the queue is willing to wait.
 * The message names the URL (password hidden) and the fix.
 */
export class RedisUnavailableError extends WorkbookError {
  override name = 'RedisUnavailableError';
  constructor(url: string, reason: string, options?: ErrorOptions) {
    super(
      RedisErrorCodes.REDIS_UNAVAILABLE,
      `Redis at ${redactUrl(url)} is unavailable (${reason}). ${REDIS_UNAVAILABLE_FIX}`,
      options,
    );
  }
}

/** Redis answered but refused the credentials. */
export class RedisAuthError extends WorkbookError {
  override name = 'RedisAuthError';
  constructor(url: string, reason: string, options?: ErrorOptions) {
    super(
      RedisErrorCodes.REDIS_AUTH,
      `Redis at ${redactUrl(url)} refused the credentials (${reason}). Put the password in the ` +
        'URL: `redis://:<password>@host:port/<db>` (or `redis://<user>:<password>@...` with ACL ' +
        'users).',
      options,
    );
  }
}

/** A bad command-line argument; the CLI prints it with the usage. */
export class BadArgumentError extends WorkbookError {
  override name = 'BadArgumentError';
  constructor(message: string, options?: ErrorOptions) {
    super(RedisErrorCodes.BAD_ARGUMENT, message, options);
  }
}

/**
 * Hides the password of a Redis URL so it can go into messages and logs.
 * @example redactUrl('redis://:s3cret@host:6379/2') // 'redis://:***@host:6379/2'
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
