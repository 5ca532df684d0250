import { checkInteger, type SerializedError } from '@workbook/session01';
import type { QueueStats, TaskResult } from '@workbook/session03';
import {
  QueueConnection,
  type QueueConnectionOptions,
  taskFromHash,
} from '@workbook/session04/core';
import { type ReliableKeys, reliableKeys } from './keys.ts';
import {
  type DeadLetterPage,
  deadLetterEntry,
  type LeaseInfo,
  type QueueCounts,
  scoredPairs,
  type TaskRecord,
  type TaskState,
} from './queue-types.ts';
import { type WorkerInfo, WorkerRegistry } from './worker-registry.ts';

/** Options of {@link QueueInspector}: which queue, on which Redis. */
export type QueueInspectorOptions = Pick<
  QueueConnectionOptions,
  'name' | 'prefix' | 'url' | 'redis' | 'connection' | 'logger'
>;

/**
 * A read-only view of a reliable queue: depths and counters, who holds which lease, one task's
 * whole state, results, pages of the dead letter queue and the registered workers. It never
 * takes, leases or moves a task, so anything may use it — the monitor, `imgq status`, an
 * autoscaler, an HTTP API — without pretending to be a consumer.
 *
 * @example
 * const inspector = new QueueInspector({ url: 'redis://127.0.0.1:6379', name: 'images' });
 * const { pending, processing, dlq } = await inspector.counts();
 * await inspector.close();
 * @throws {InvalidOptionError} for a bad option; `ERR_INVALID_REDIS_URL`.
 */
export class QueueInspector {
  readonly name: string;
  readonly keys: ReliableKeys;
  /** The URL read from (with the password: `redactUrl` it before printing). */
  readonly url: string;
  readonly #redis: QueueConnection<ReliableKeys>;
  readonly #registry: WorkerRegistry;

  constructor(options: QueueInspectorOptions = {}) {
    this.#redis = new QueueConnection(options, {
      connectionName: (name) => `imgq:${name}:inspector`,
      keys: reliableKeys,
    });
    this.name = this.#redis.name;
    this.keys = this.#redis.keys;
    this.url = this.#redis.url;
    this.#registry = new WorkerRegistry({
      connection: this.#redis.client,
      name: this.name,
      prefix: this.#redis.prefix,
    });
  }

  /**
   * Waits until Redis answers, or fails fast with the fix.
   * @throws {RedisUnavailableError} `ERR_REDIS_UNAVAILABLE`; {@link RedisAuthError} `ERR_REDIS_AUTH`
   */
  connect(timeoutMs = 3_000): Promise<void> {
    return this.#redis.connect(timeoutMs);
  }

  /** Every depth and counter, read in one MULTI (a consistent snapshot). */
  async counts(): Promise<QueueCounts> {
    const { keys } = this;
    const [pending, processing, delayed, dlq, stats] = (await this.#redis.exec(
      this.#redis.client
        .multi()
        .llen(keys.pending)
        .zcard(keys.leases)
        .zcard(keys.delayed)
        .zcard(keys.dlq)
        .hgetall(keys.stats),
    )) as [number, number, number, number, Record<string, string>];
    const counter = (field: string) => Number(stats[field] ?? 0);
    return {
      pending,
      processing,
      delayed,
      dlq,
      completed: counter('completed'),
      failed: counter('failed'),
      enqueued: counter('enqueued'),
      retried: counter('retried'),
      recovered: counter('recovered'),
      released: counter('released'),
    };
  }

  /**
   * Session 03's four numbers: `processing` counts leases, `failed` counts tasks
   * dead-lettered. {@link QueueInspector.counts} has the rest.
   */
  async stats(): Promise<QueueStats> {
    const { pending, processing, completed, failed } = await this.counts();
    return { pending, processing, completed, failed };
  }

  /** Number of pending tasks (what a queue-length autoscaler watches). */
  size(): Promise<number> {
    return this.#redis.run(() => this.#redis.client.llen(this.keys.pending));
  }

  /**
   * Every lease (every task in processing), soonest deadline first, ties by task id: who holds
   * what, as Redis sees it — unlike a worker's heartbeat report, never out of date.
   */
  async leases(): Promise<LeaseInfo[]> {
    const client = this.#redis.client;
    const pairs = scoredPairs(
      await this.#redis.run(() => client.zrange(this.keys.leases, 0, '-1', 'WITHSCORES')),
    );
    if (pairs.length === 0) return [];
    const multi = client.multi();
    for (const [id] of pairs) multi.hmget(this.keys.task(id), 'owner', 'data');
    const fields = (await this.#redis.exec(multi)) as Array<[string | null, string | null]>;
    return pairs.map(([taskId, deadline], index) => {
      const [owner, data] = fields[index] ?? [null, null];
      const input = data ? (JSON.parse(data) as { input?: string }).input : undefined;
      return { taskId, input: input ?? '?', owner: owner ?? null, deadline };
    });
  }

  /** A stored task with its state, lease and last error, or `null` when unknown or expired. */
  async task(taskId: string): Promise<TaskRecord | null> {
    const client = this.#redis.client;
    const [hash, deadline] = (await this.#redis.exec(
      client.multi().hgetall(this.keys.task(taskId)).zscore(this.keys.leases, taskId),
    )) as [Record<string, string>, string | null];
    if (!hash.data) return null;
    return {
      task: taskFromHash(hash),
      state: (hash.state ?? 'pending') as TaskState,
      owner: hash.owner ?? null,
      leaseDeadline: deadline === null ? null : Number(deadline),
      dueAt: hash.dueAt ? Number(hash.dueAt) : null,
      lastError: hash.lastError ? (JSON.parse(hash.lastError) as SerializedError) : null,
    };
  }

  /** The stored result of a task, or `null` (not final yet, or expired after `resultTtlMs`). */
  async result(taskId: string): Promise<TaskResult | null> {
    const json = await this.#redis.run(() => this.#redis.client.get(this.keys.result(taskId)));
    return json === null ? null : (JSON.parse(json) as TaskResult);
  }

  /**
   * A page of the dead letter queue, in the order the tasks died: the DLQ's score is the
   * millisecond of death plus a sequence number in its fraction (`include/dead.lua`), so entries
   * dead-lettered in the same millisecond keep their order, and a page reads the same every time.
   * @param options.offset entries to skip @default 0
   * @param options.limit most entries returned (1-1000) @default 20
   */
  async deadLetters(options: { offset?: number; limit?: number } = {}): Promise<DeadLetterPage> {
    const offset = checkInteger('offset', options.offset ?? 0, { min: 0 });
    const limit = checkInteger('limit', options.limit ?? 20, { min: 1, max: 1_000 });
    const client = this.#redis.client;
    const [total, flat] = (await this.#redis.exec(
      client
        .multi()
        .zcard(this.keys.dlq)
        .zrange(this.keys.dlq, offset, String(offset + limit - 1), 'WITHSCORES'),
    )) as [number, string[]];
    const pairs = scoredPairs(flat);
    if (pairs.length === 0) return { total, offset, entries: [] };
    const multi = client.multi();
    for (const [id] of pairs) multi.hgetall(this.keys.task(id));
    const hashes = (await this.#redis.exec(multi)) as Array<Record<string, string>>;
    const entries = pairs.flatMap(([id, deadAt], index) => {
      const hash = hashes[index]!;
      return hash.data ? [deadLetterEntry(id, Math.floor(deadAt), hash)] : [];
    });
    return { total, offset, entries };
  }

  /** Every registered worker: the live ones first (by id), then the dead ones. */
  workers(): Promise<WorkerInfo[]> {
    return this.#registry.list();
  }

  /** Closes the inspector's own connection (a shared one stays open). */
  close(): Promise<void> {
    return this.#redis.close();
  }
}
