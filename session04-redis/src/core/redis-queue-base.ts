import { EventEmitter } from 'node:events';
import { type NewTask, QueueClosedError, type Task } from '@workbook/session03';
import type { ChainableCommander } from 'ioredis';
import type { QueueKeys } from '../keys.ts';
import { BlockingWaits } from './blocking-waits.ts';
import type { QueueConnection } from './queue-connection.ts';
import { enqueueBatch } from './task-codec.ts';

/**
 * What every Redis queue of the course does the same way: the producer side (`enqueue`,
 * `enqueueMany` in one round trip), `connect`, and the closing sequence (wake the blocked
 * consumers, hand back what this instance holds, close the connections), on a
 * {@link QueueConnection} and its {@link BlockingWaits}. A queue adds how it stores a task
 * (`addTask`) and how it delivers one; session 04's `RedisTaskQueue` and session 05's
 * `ReliableTaskQueue` are built on it.
 *
 * @typeParam Keys the queue's key layout
 * @typeParam Events the queue's events (none for session 04's queue)
 */
export abstract class RedisQueueBase<
  Keys extends QueueKeys,
  // biome-ignore lint/suspicious/noExplicitAny: Node's own EventEmitter map type
  Events extends Record<keyof Events, any[]> = Record<never, never>,
> extends EventEmitter<Events> {
  /** The queue's name. */
  readonly name: string;
  /** First segment of every key. */
  readonly prefix: string;
  /** Every key the queue uses. */
  readonly keys: Keys;
  /** The URL the queue connects to (with the password; use `redactUrl` to print it). */
  readonly url: string;
  protected readonly redis: QueueConnection<Keys>;
  protected readonly waits: BlockingWaits;
  #closed = false;
  #closing: Promise<void> | null = null;

  protected constructor(redis: QueueConnection<Keys>) {
    super();
    this.redis = redis;
    this.waits = new BlockingWaits(redis);
    this.name = redis.name;
    this.prefix = redis.prefix;
    this.keys = redis.keys;
    this.url = redis.url;
  }

  /** `true` once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Waits until Redis accepts commands, or fails fast. Entry points call it once, so a missing
   * Redis is reported within `timeoutMs` with the fix, instead of the first command waiting.
   * @throws {RedisUnavailableError} `ERR_REDIS_UNAVAILABLE`, {@link RedisAuthError} `ERR_REDIS_AUTH`
   */
  async connect(timeoutMs = 3_000): Promise<void> {
    this.assertOpen('connect');
    await this.redis.connect(timeoutMs);
  }

  /**
   * Adds a task at the tail of the queue, atomically (one Lua script).
   * @throws {QueueClosedError} after `close()`; {@link InvalidOptionError} for a malformed task;
   * `ERR_DUPLICATE_TASK` when a task with this id is stored; `ERR_REDIS_UNAVAILABLE`.
   */
  async enqueue(newTask: NewTask): Promise<Task> {
    const [task] = await this.enqueueMany([newTask]);
    return task!;
  }

  /**
   * Adds several tasks in one round trip (one pipeline of enqueue scripts): much faster than
   * `enqueue` in a loop when a producer has many tasks at once. Each task is added atomically;
   * the batch as a whole is not (a crash half-way leaves the first tasks queued).
   * @throws the same as `enqueue`; a duplicate id rejects after the other tasks were added.
   */
  async enqueueMany(newTasks: readonly NewTask[]): Promise<Task[]> {
    this.assertOpen('enqueue');
    return enqueueBatch(this.redis, newTasks, (pipeline, task, data) =>
      this.addTask(pipeline, task, data),
    );
  }

  /**
   * Closes the queue: blocked `dequeue` calls resolve `null` at once, later calls reject with
   * `ERR_QUEUE_CLOSED`, what this instance took but nobody started goes back to the queue, and
   * the connection is closed unless it was shared. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      await this.waits.close(1_000, () => this.closeBusy());
      await this.handBack();
      await this.redis.close();
    })();
    return this.#closing;
  }

  /** Queues the enqueue script of one task on the pipeline (its reply: 1 added, 0 id taken). */
  protected abstract addTask(pipeline: ChainableCommander, task: Task, data: string): void;

  /** On close: hands back the tasks this instance took but nobody started (prefetched ones). */
  protected abstract handBack(): Promise<void>;

  /** Work `close()` also waits for (up to a second), e.g. round trips that may bring tasks. */
  protected closeBusy(): boolean {
    return false;
  }

  /** @throws {QueueClosedError} `ERR_QUEUE_CLOSED` once `close()` was called */
  protected assertOpen(operation: string): void {
    if (this.#closed) throw new QueueClosedError(operation);
  }
}
