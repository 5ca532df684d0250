import type { DequeueOptions, QueueStats, Task, TaskQueue, TaskResult } from '@workbook/session03';
import {
  checkFinish,
  dequeueOptions,
  notProcessing,
  QueueConnection,
  RedisQueueBase,
  type Waiter,
} from '@workbook/session04/core';
import type { ChainableCommander, Redis } from 'ioredis';
import type { ResolvedBackoff } from './backoff.ts';
import { DeadLetters } from './dead-letters.ts';
import { LeaseLostError } from './errors.ts';
import { type ReliableKeys, reliableKeys } from './keys.ts';
import { LeaseBook, leaseOf } from './lease-book.ts';
import {
  completeLeased,
  enqueueCall,
  extendLeases,
  failLeased,
  releaseLeases,
  takeLeased,
} from './lease-calls.ts';
import { QueueInspector } from './queue-inspector.ts';
import {
  type DeadLetterPage,
  type FailOutcome,
  flatError,
  type HeldTask,
  type LeasedTask,
  type LeaseInfo,
  type QueueCounts,
  type RecoveryReport,
  type ReliableQueueEvents,
  type TaskRecord,
} from './queue-types.ts';
import { recoverOnce } from './recovery.ts';
import {
  type ReliableSettings,
  type ReliableTaskQueueOptions,
  reliableSettings,
} from './reliable-options.ts';
import { isRetryable } from './retry-policy.ts';
import { type FencedReply, QUEUE_SCRIPTS } from './scripts.ts';

/**
 * A {@link TaskQueue} on Redis that never loses a task: session 04's queue core plus leases,
 * retries with backoff, a dead letter queue and a recovery step.
 *
 * ```
 * enqueue ─▶ pending ──take (lease)──▶ processing ──ack──▶ completed (result)
 *              ▲  ▲                     │   │  │
 *              │  └──── recover ◀───────┘   │  └──fail, non-retryable / last attempt──▶ dlq
 *              │       (lease expired,      │
 *              │        owner dead)         └──fail, retryable──▶ delayed ──due──┘
 * ```
 *
 * Every move is one Lua script, so a crash at any moment leaves each task in exactly one of
 * pending, delayed, processing (with a lease), completed or dead. A delivered task carries a
 * lease token (`task.lease`); `ack` and `fail` are refused with `ERR_LEASE_LOST` once the
 * lease was taken over, so a slow worker cannot overwrite the result of the one that took over.
 *
 * `fail()` retries with exponential backoff and jitter (`computeBackoff`), or dead-letters the
 * task when the error code is non-retryable (`NON_RETRYABLE_CODES`) or the attempts are used up.
 * With `maxAttempts: 1` every failure is final, as in sessions 03-04 (session 03's contract
 * suite runs on this queue with its retry semantics: `failIsFinal: false`).
 *
 * Built by composition: session 04's core (connections, blocking waits, scripts), a
 * {@link LeaseBook} of what this instance holds, the recovery pass, {@link DeadLetters} admin
 * and a read-only {@link QueueInspector} (`queue.inspector`) — the reading methods below are
 * the inspector's.
 *
 * @example
 * const queue = new ReliableTaskQueue({ url, name: 'images', owner: 'worker-1' });
 * const task = await queue.dequeue({ timeoutMs: 5_000 });
 * // ... while working: await queue.extendLeases() every heartbeat (ReliableWorker does it)
 * if (task) await queue.ack(task, result);
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` for a bad option; `ERR_INVALID_REDIS_URL`.
 */
export class ReliableTaskQueue
  extends RedisQueueBase<ReliableKeys, ReliableQueueEvents>
  implements TaskQueue
{
  /** Owner recorded on every lease this instance takes. */
  readonly owner: string;
  readonly leaseMs: number;
  readonly maxAttempts: number;
  readonly backoff: ResolvedBackoff;
  readonly nonRetryableCodes: ReadonlySet<string>;
  /** Read-only views of the queue: counts, leases, tasks, results, DLQ pages, workers. */
  readonly inspector: QueueInspector;
  /** Retry or purge dead letters. */
  readonly deadLetters: DeadLetters;

  readonly #book = new LeaseBook();
  readonly #settings: ReliableSettings;

  constructor(options: ReliableTaskQueueOptions = {}) {
    const settings = reliableSettings(options);
    super(
      new QueueConnection(options, {
        connectionName: (name) => `imgq:${name}:${settings.owner}`,
        scripts: QUEUE_SCRIPTS,
        keys: reliableKeys,
      }),
    );
    this.#settings = settings;
    ({
      owner: this.owner,
      leaseMs: this.leaseMs,
      maxAttempts: this.maxAttempts,
      backoff: this.backoff,
      nonRetryableCodes: this.nonRetryableCodes,
    } = settings);
    this.inspector = new QueueInspector({
      connection: this.redis.client,
      name: this.name,
      prefix: this.prefix,
    });
    this.deadLetters = new DeadLetters(this.redis, settings.recoveryBatch);
  }

  /** The queue's command connection (shared with the worker registry of the same process). */
  get connection(): Redis {
    return this.redis.client;
  }

  /** One `enqueue-4.lua` call: stored, pushed onto pending, the doorbell rung. */
  protected addTask(pipeline: ChainableCommander, task: Task, data: string): void {
    enqueueCall(this.redis, pipeline, task, data);
  }

  // ---- consumer side -----------------------------------------------------------------------

  /**
   * Takes the task at the head with a lease (Lua `take-4.lua`), waiting up to `timeoutMs`.
   * While nothing is pending it blocks on the doorbell list (BLPOP, one dedicated connection
   * per waiting consumer, each wait guarded by a watchdog), and no longer than until the next
   * retry is due.
   * @returns the task with `attempts`, `startedAt` and `lease` set; `null` on timeout, abort or close.
   * @throws {QueueClosedError} when called after close; {@link InvalidOptionError} for a bad timeout.
   */
  async dequeue(options: DequeueOptions = {}): Promise<LeasedTask | null> {
    const { timeoutMs, signal } = dequeueOptions(options);
    this.assertOpen('dequeue');
    const prefetched = this.#book.handOut();
    if (prefetched) return prefetched;
    const first = await this.#take();
    if (first.task || timeoutMs === 0 || signal?.aborted || this.closed) return first.task;
    let untilDue = first.nextDueMs;
    return this.waits.wait(Date.now() + timeoutMs, signal, async (waiter, remaining) => {
      const round = await this.#waitRound(waiter, remaining, untilDue);
      if (typeof round === 'number') {
        untilDue = round;
        return undefined;
      }
      return round;
    });
  }

  /**
   * Stores the result of a task this caller holds the lease of (Lua `complete-4.lua`).
   * @throws {LeaseLostError} `ERR_LEASE_LOST` when the lease was taken over;
   * {@link TaskNotProcessingError} `ERR_TASK_NOT_PROCESSING` when the task is unknown, was never
   * delivered, or this delivery already finished; {@link InvalidOptionError} for a result of
   * another task.
   */
  async ack(task: Task, result: TaskResult): Promise<void> {
    this.assertOpen('ack a task');
    const id = checkFinish('ack', task, result);
    const token = leaseOf(task);
    const reply = await completeLeased(this.redis, id, token, result);
    this.#settle('ack', id, token, reply);
    this.emit('completed', { taskId: id, workerId: result.workerId });
  }

  /**
   * Fails one attempt (Lua `fail-8.lua`): schedules a retry after `computeDelay(attempt, …)`
   * (default `computeBackoff`), or dead-letters the task when its error code is non-retryable or it was the last attempt.
   * Only a dead-lettered task gets a stored result (status `failed`).
   * {@link ReliableTaskQueue.failAttempt} does the same and tells which it was.
   * @throws the same as {@link ReliableTaskQueue.ack}.
   */
  async fail(task: Task, result: TaskResult): Promise<void> {
    await this.failAttempt(task, result);
  }

  /**
   * {@link ReliableTaskQueue.fail}, resolving with what happened to the task: a retry (with its
   * delay and due time) or the dead letter queue (with the reason).
   * @throws the same as {@link ReliableTaskQueue.ack}.
   */
  async failAttempt(task: Task, result: TaskResult): Promise<FailOutcome> {
    this.assertOpen('fail a task');
    const id = checkFinish('fail', task, result);
    const token = leaseOf(task);
    const error = flatError(result.error);
    const retryable = isRetryable(error.code, this.nonRetryableCodes);
    const attempt = Number.isInteger(task.attempts) && task.attempts >= 1 ? task.attempts : 1;
    const delayMs = this.#settings.computeDelay(attempt, this.backoff, this.#settings.random);
    const reply = await failLeased(this.redis, id, token, result, {
      error,
      retryable,
      maxAttempts: this.maxAttempts,
      delayMs,
    });
    this.#settle('fail', id, token, reply);
    if (reply[0] === 2) {
      const dueAt = Number(reply[1]);
      this.emit('retried', { task, error, delayMs, dueAt });
      return { outcome: 'retry', delayMs, dueAt };
    }
    const reason = reply[1] === 'non-retryable' ? 'non-retryable' : 'attempts-exhausted';
    this.emit('deadLettered', { task, error, reason });
    return { outcome: 'dead', reason };
  }

  /** The tasks this instance handed out and still holds leases on (what its worker runs). */
  held(): HeldTask[] {
    return this.#book.handedOut();
  }

  /**
   * Extends every lease this instance holds by `leaseMs`, in ONE call (Lua
   * `extendLeases-1.lua`). A worker calls it on every heartbeat.
   * @returns the ids of the tasks whose lease was lost (taken over): stop working on them.
   */
  async extendLeases(): Promise<string[]> {
    this.assertOpen('extend leases');
    const pairs = this.#book.pairs();
    if (pairs.length === 0) return [];
    const lost = await extendLeases(this.redis, this.leaseMs, pairs);
    this.#book.lose(lost);
    for (const id of lost) {
      this.redis.logger.warn({ taskId: id }, 'lease lost: the task was taken back by recovery');
      this.emit('leaseLost', { taskId: id, operation: 'extend' });
    }
    return lost;
  }

  /**
   * Hands tasks back to the queue without counting the attempt (Lua `releaseLeases-4.lua`):
   * what a worker does with its unfinished tasks when it shuts down. Only tasks whose lease
   * this caller still holds move; they go to the head of the pending list.
   * @param tasks the tasks to hand back @default every task this instance holds
   * @returns the ids handed back.
   */
  async release(tasks?: readonly Task[]): Promise<string[]> {
    this.assertOpen('release tasks');
    const released = await this.#releaseNow(tasks ?? this.#book.tasks());
    if (released.length > 0) this.emit('released', { taskIds: released });
    return released;
  }

  /**
   * One recovery pass (Lua `recover-7.lua`, atomic, safe to run from many workers at once):
   * takes back tasks whose lease expired or whose owner's heartbeat is gone (to the head of
   * pending, or to the DLQ with ERR_LEASE_EXPIRED_TOO_OFTEN after `maxAttempts`), promotes due
   * retries, forgets long-dead workers and rings the doorbell for pending tasks.
   */
  async recover(): Promise<RecoveryReport> {
    this.assertOpen('recover');
    const report = await recoverOnce(this.redis, {
      maxAttempts: this.maxAttempts,
      batch: this.#settings.recoveryBatch,
      deadRetentionMs: this.#settings.deadWorkerRetentionMs,
    });
    const { requeued, deadLettered, promoted, reapedWorkers } = report;
    if (requeued.length + deadLettered.length + promoted + reapedWorkers.length > 0) {
      this.emit('recovered', report);
    }
    return report;
  }

  // ---- reading (the inspector's) and dead-letter admin, on the queue for convenience ----------

  /** {@link QueueInspector.result}: the stored result, or `null`. */
  result(taskId: string): Promise<TaskResult | null> {
    return this.#open('read a result').result(taskId);
  }

  /** {@link QueueInspector.task}: a task with its state, lease and last error, or `null`. */
  inspect(taskId: string): Promise<TaskRecord | null> {
    return this.#open('read a task').task(taskId);
  }

  /** {@link QueueInspector.leases}: every lease in the queue, soonest deadline first. */
  leases(): Promise<LeaseInfo[]> {
    return this.#open('read leases').leases();
  }

  /** Number of pending tasks. */
  size(): Promise<number> {
    return this.#open('read the size').size();
  }

  /** Session 03's four numbers (see {@link QueueInspector.stats}). */
  stats(): Promise<QueueStats> {
    return this.#open('read stats').stats();
  }

  /** {@link QueueInspector.counts}: every depth and counter, one consistent snapshot. */
  counts(): Promise<QueueCounts> {
    return this.#open('read stats').counts();
  }

  /** {@link QueueInspector.deadLetters}: a page of the dead letter queue, oldest first. */
  dlqList(options: { offset?: number; limit?: number } = {}): Promise<DeadLetterPage> {
    return this.#open('read the dead letter queue').deadLetters(options);
  }

  /** {@link DeadLetters.retry}: dead letters back to pending. */
  dlqRetry(target: readonly string[] | 'all', options: { keepAttempts?: boolean } = {}) {
    this.assertOpen('retry dead letters');
    return this.deadLetters.retry(target, options);
  }

  /** {@link DeadLetters.purge}: deletes dead letters for good. */
  dlqPurge(options: { olderThanMs?: number } = {}): Promise<number> {
    this.assertOpen('purge dead letters');
    return this.deadLetters.purge(options);
  }

  /** Prefetched tasks nobody started go back to the head of the queue, attempt not counted. */
  protected async handBack(): Promise<void> {
    const unstarted = this.#book.drainBuffer();
    if (unstarted.length > 0) await this.#releaseNow(unstarted).catch(() => {});
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Non-blocking delivery (Lua `take-4.lua`): up to `prefetch` tasks, the first handed out. */
  async #take(): Promise<{ task: LeasedTask | null; nextDueMs: number }> {
    const { tasks, nextDueMs } = await takeLeased(
      this.redis,
      this.owner,
      this.leaseMs,
      this.#settings.prefetch,
    );
    this.#book.add(tasks);
    return { task: this.#book.handOut(), nextDueMs };
  }

  /**
   * One round of a blocked dequeue: wait for the doorbell (BLPOP), no longer than until the
   * next retry is due, then try to take. Resolves a task, `null` (wait over), or the time until
   * the next due retry (wait on).
   */
  async #waitRound(
    waiter: Waiter,
    remainingMs: number,
    untilDueMs: number,
  ): Promise<LeasedTask | null | number> {
    // Wake up for a retry that falls due even if no doorbell rings for it.
    const slice = Math.min(
      remainingMs,
      this.redis.blockTimeoutMs,
      untilDueMs >= 0 ? untilDueMs + 5 : Infinity,
    );
    const signal = this.keys.signal;
    const rang = await this.waits.blockOnce(waiter, slice, (redis, seconds) =>
      redis.blpop(signal, seconds),
    );
    if (this.waits.isOver(waiter)) {
      // The ring was meant for someone who is still waiting: put it back.
      if (rang) await this.redis.client.lpush(signal, '1').catch(() => {});
      return null;
    }
    const { task, nextDueMs } = await this.#take();
    if (task && this.waits.isOver(waiter)) {
      await this.#releaseNow([task]).catch(() => {});
      return null;
    }
    return task ?? nextDueMs;
  }

  /** Hands tasks back even while closing (close() uses it for unstarted prefetched tasks). */
  async #releaseNow(tasks: readonly Task[]): Promise<string[]> {
    const pairs = tasks.flatMap((task) => [task.id, leaseOf(task)]);
    if (pairs.length === 0) return [];
    const released = await releaseLeases(this.redis, pairs);
    for (const task of tasks) this.#book.forget(task.id, leaseOf(task));
    this.#book.unbuffer(released);
    return released;
  }

  /** Turns a fenced script's refusal into the matching error; forgets the lease either way. */
  #settle(operation: 'ack' | 'fail', id: string, token: string, reply: FencedReply): void {
    const outcome = Number(reply[0]);
    this.#book.forget(id, token);
    if (outcome > 0) return;
    if (outcome === -2) {
      this.redis.logger.warn({ taskId: id, operation }, 'result refused: the lease was taken over');
      this.emit('leaseLost', { taskId: id, operation });
      throw new LeaseLostError(operation, id, `the lease \`${token}\` is no longer the task's`);
    }
    throw notProcessing(operation, id, outcome);
  }

  /** The inspector, once the queue is known to be open. */
  #open(operation: string): QueueInspector {
    this.assertOpen(operation);
    return this.inspector;
  }
}
