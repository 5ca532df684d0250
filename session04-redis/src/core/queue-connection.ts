import { checkDuration } from '@workbook/session01';
import { type Logger, silentLogger } from '@workbook/session03';
import type { Redis, RedisOptions } from 'ioredis';
import { BlockingPool } from '../blocking-pool.ts';
import { redisUrlFromEnv } from '../config.ts';
import {
  createRedisConnection,
  parseRedisUrl,
  reconnectDelay,
  sleep,
  throttledErrorLog,
  toRedisError,
  urlOf,
  waitUntilReady,
} from '../connection.ts';
import { type QueueKeys, queueKeys } from '../keys.ts';
import { installScripts, type LuaScript } from './lua-scripts.ts';

/** What every Redis queue of the course takes: where Redis is, the key layout, retention, waits. */
export interface QueueConnectionOptions {
  /** Queue name: the `{name}` in every key. @default 'images' */
  name?: string;
  /** First segment of every key. @default 'imgq' */
  prefix?: string;
  /**
   * Where Redis is: `redis://[:password@]host[:port][/db]`. Ignored when `connection` is given.
   * @default process.env.REDIS_URL, else 'redis://127.0.0.1:6379'
   */
  url?: string;
  /**
   * Extra ioredis options for the connections the queue opens (e.g. `{ db: 2 }`). The command
   * connection has `socketTimeout: 10_000` unless you set it; blocking connections never have
   * one (their watchdog does that job).
   */
  redis?: RedisOptions;
  /**
   * An ioredis client to share for ordinary commands (several queues, or the rest of the app).
   * The queue never closes it; blocking commands still get dedicated connections, duplicated
   * from it.
   */
  connection?: Redis;
  /**
   * How long a result is kept after the task finished. `Infinity` keeps results forever
   * (memory grows with every task).
   * @default 86_400_000 (24 h)
   */
  resultTtlMs?: number;
  /**
   * How long a finished task's hash (payload, attempts) is kept. `Infinity` keeps it.
   * @default 3_600_000 (1 h)
   */
  taskTtlMs?: number;
  /**
   * Longest single blocking wait. A long `dequeue` is a loop of waits this long, so a
   * connection that silently died is noticed within `blockTimeoutMs + watchdogGraceMs`.
   * @default 2_000
   */
  blockTimeoutMs?: number;
  /**
   * How long after its block time a blocking command may stay unanswered before the queue
   * declares its connection dead, drops it and blocks again on a new one.
   * @default 1_000
   */
  watchdogGraceMs?: number;
  /** Logger for connection trouble (pino or any {@link Logger}). @default silentLogger */
  logger?: Logger;
}

/** The defaults of {@link QueueConnectionOptions}, in one place. */
export const QUEUE_DEFAULTS = {
  name: 'images',
  prefix: 'imgq',
  resultTtlMs: 86_400_000,
  taskTtlMs: 3_600_000,
  blockTimeoutMs: 2_000,
  watchdogGraceMs: 1_000,
} as const;

/**
 * The Redis side of one queue instance: the command client (its own, or a shared one), the
 * pool of dedicated blocking connections, the scripts installed on the client, and the checked
 * common options. Queues are built on it by composition (session 04's `RedisTaskQueue`,
 * session 05's `ReliableTaskQueue`, the read-only `QueueInspector`).
 *
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` for a bad option; `ERR_INVALID_REDIS_URL`.
 */
export class QueueConnection<Keys extends QueueKeys = QueueKeys> {
  readonly name: string;
  readonly prefix: string;
  readonly keys: Keys;
  /** The URL connected to (with the password: `redactUrl` it before printing). */
  readonly url: string;
  readonly client: Redis;
  readonly pool: BlockingPool;
  readonly logger: Logger;
  readonly resultTtlMs: number;
  readonly taskTtlMs: number;
  readonly blockTimeoutMs: number;
  readonly watchdogGraceMs: number;
  readonly #ownsClient: boolean;

  /**
   * @param options the queue's options
   * @param setup `connectionName` for the connections (shown by `CLIENT LIST`), the scripts to
   * install, and how to build the keys from name and prefix (session 05 adds its own)
   */
  constructor(
    options: QueueConnectionOptions,
    setup: {
      connectionName?: (name: string) => string;
      scripts?: Iterable<LuaScript<string, string, unknown>>;
      keys?: (name: string, prefix: string) => Keys;
    } = {},
  ) {
    this.name = options.name ?? QUEUE_DEFAULTS.name;
    this.prefix = options.prefix ?? QUEUE_DEFAULTS.prefix;
    this.keys = (setup.keys ?? (queueKeys as unknown as (n: string, p: string) => Keys))(
      this.name,
      this.prefix,
    );
    this.resultTtlMs = checkDuration(
      'resultTtlMs',
      options.resultTtlMs ?? QUEUE_DEFAULTS.resultTtlMs,
      { allowInfinity: true },
    );
    this.taskTtlMs = checkDuration('taskTtlMs', options.taskTtlMs ?? QUEUE_DEFAULTS.taskTtlMs, {
      allowInfinity: true,
    });
    this.blockTimeoutMs = checkDuration(
      'blockTimeoutMs',
      options.blockTimeoutMs ?? QUEUE_DEFAULTS.blockTimeoutMs,
    );
    this.watchdogGraceMs = checkDuration(
      'watchdogGraceMs',
      options.watchdogGraceMs ?? QUEUE_DEFAULTS.watchdogGraceMs,
    );
    this.logger = (options.logger ?? silentLogger).child({ queue: this.name });
    const onError = throttledErrorLog(this.logger);
    const connectionName = setup.connectionName?.(this.name) ?? `imgq:${this.name}`;

    if (options.connection) {
      this.client = options.connection;
      this.#ownsClient = false;
      this.url = urlOf(options.connection);
    } else {
      this.url = options.url ?? redisUrlFromEnv();
      parseRedisUrl(this.url);
      // No auto-pipelining: it holds every command back to the next event-loop turn to batch
      // it with others, which a worker's strictly sequential dequeue -> ack -> dequeue pays for
      // on every step (measured in `pnpm bench queue`). Batching is explicit instead
      // (enqueueMany's pipeline, prefetch).
      this.client = createRedisConnection(
        {
          url: this.url,
          redis: {
            connectionName,
            // Ordinary commands answer in milliseconds; a connection silent for 10 s while a
            // command waits is dead: ioredis then drops it, reconnects and resends.
            socketTimeout: 10_000,
            ...options.redis,
          },
        },
        onError,
      );
      this.#ownsClient = true;
    }
    if (setup.scripts) installScripts(this.client, setup.scripts);

    this.pool = new BlockingPool(() => {
      const blocking = this.client.duplicate({
        // Wait through outages instead of failing after N reconnects: the watchdog bounds
        // every wait, and a worker must simply resume when Redis is back.
        maxRetriesPerRequest: null,
        enableAutoPipelining: false,
        connectionName: `${connectionName}:blocking`,
        retryStrategy: reconnectDelay,
        ...options.redis,
        // A blocking command is silent by design until its timeout: the watchdog, which knows
        // the block time, decides when a blocking connection is dead, not a socket timeout.
        socketTimeout: undefined,
      });
      blocking.on('error', onError);
      return blocking;
    });
  }

  /**
   * Waits until Redis accepts commands, or fails fast with the fix.
   * @throws {RedisUnavailableError} `ERR_REDIS_UNAVAILABLE`; {@link RedisAuthError} `ERR_REDIS_AUTH`
   */
  connect(timeoutMs = 3_000): Promise<void> {
    return waitUntilReady(this.client, this.url, timeoutMs);
  }

  /** Runs a command, turning connection trouble into `ERR_REDIS_UNAVAILABLE`. */
  async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw toRedisError(error, this.url);
    }
  }

  /**
   * Runs a MULTI or pipeline and returns its replies in order, throwing the first error
   * (as the course's error family).
   */
  async exec(batch: {
    exec(): Promise<Array<[Error | null, unknown]> | null>;
  }): Promise<unknown[]> {
    const replies = await this.run(() => batch.exec());
    return (replies ?? []).map(([error, value]) => {
      if (error) throw toRedisError(error, this.url);
      return value;
    });
  }

  /** Closes the blocking connections, and the command client unless it was shared. */
  async close(): Promise<void> {
    this.pool.close();
    if (!this.#ownsClient) return;
    if (this.client.status === 'ready') {
      await Promise.race([this.client.quit().catch(() => {}), sleep(1_000)]);
    }
    this.client.disconnect();
  }
}
