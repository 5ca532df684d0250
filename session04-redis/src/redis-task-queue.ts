import { randomUUID } from 'node:crypto';
import { checkInteger } from '@workbook/session01';
import type { DequeueOptions, QueueStats, Task, TaskQueue, TaskResult } from '@workbook/session03';
import type { ChainableCommander, Redis } from 'ioredis';
import { toRedisError, ttlArg } from './connection.ts';
import type { Waiter } from './core/blocking-waits.ts';
import { callScript } from './core/lua-scripts.ts';
import { QueueConnection, type QueueConnectionOptions } from './core/queue-connection.ts';
import { RedisQueueBase } from './core/redis-queue-base.ts';
import {
  checkFinish,
  decodeTask,
  dequeueOptions,
  notProcessing,
  taskFromHash,
} from './core/task-codec.ts';
import type { QueueKeys } from './keys.ts';
import { ENQUEUE, FINISH, QUEUE_SCRIPTS, REQUEUE, START, TAKE } from './scripts.ts';

/** Options of {@link RedisTaskQueue}: the common queue options, plus prefetching. */
export interface RedisTaskQueueOptions extends QueueConnectionOptions {
  /**
   * How many tasks to keep ready in this process for the next `dequeue` calls (prefetching).
   * With `0` every dequeue asks Redis. With N > 0 a dequeue that asks Redis takes up to 1 + N
   * tasks in that one round trip, and every ack/fail tops the reserve up to N in the same
   * round trip as the ack (as BullMQ fetches the next job while completing one). A worker
   * whose loop dequeues one task at a time then pays one round trip per task, not two.
   *
   * The price: reserved tasks count as processing (and their attempt as started) while they
   * wait here, and no other process can take them. They are safe in the processing list if
   * this process dies, and `close()` puts them back at the head of the queue. `imgq worker`
   * sets it to its concurrency.
   * @default 0
   */
  prefetch?: number;
}

/** A stored task as `task()` reads it, with its state. */
export interface TaskRecord {
  task: Task;
  state: 'pending' | 'processing' | 'completed' | 'failed';
}

/**
 * A {@link TaskQueue} in Redis: the same contract as session 03's in-memory queue, but shared by
 * any number of processes and machines, and surviving a crash of any of them.
 *
 * ```
 * enqueue ──LPUSH id──▶ [pending] ──BLMOVE (atomic)──▶ [processing] ──ack/fail (Lua)──▶ result
 *                                                          │
 *                      task:<id> hash holds the payload ───┘   result:<id> expires after resultTtlMs
 * ```
 *
 * Delivery is reliable: the move from `pending` to `processing` is one atomic Redis command, so a
 * task is always in one of the two lists (or finished) — a worker that dies while holding it
 * leaves it in `processing`, not lost. Session 05 puts such tasks back to work.
 *
 * Built on the queue core (`@workbook/session04/core`): the connections, the blocking wait with
 * its watchdog, the Lua script loader and the task codec are shared with session 05's queue.
 *
 * @example
 * const queue = new RedisTaskQueue({ url: 'redis://127.0.0.1:6379', name: 'images' });
 * await queue.enqueue({ pipeline, input: 'in/cat.png', output: 'out/cat.webp' });
 * const task = await queue.dequeue({ timeoutMs: 5_000 });
 * if (task) await queue.ack(task, result);
 * await queue.close();
 * @throws {InvalidOptionError} for a bad option, `ERR_INVALID_REDIS_URL` for a bad URL.
 */
export class RedisTaskQueue extends RedisQueueBase<QueueKeys> implements TaskQueue {
  readonly #prefetch: number;
  /** Prefetched tasks, already in `processing`, in delivery order. */
  readonly #prefetched: Task[] = [];
  /** Round trips that may bring tasks back (takes, acks with a top-up); close() waits for them. */
  readonly #takes = new Set<Promise<unknown>>();
  /** Tasks asked for by top-ups still on their way (so two acks do not both top up). */
  #toppingUp = 0;

  constructor(options: RedisTaskQueueOptions = {}) {
    const prefetch = checkInteger('prefetch', options.prefetch ?? 0, { min: 0, max: 1_000 });
    super(new QueueConnection(options, { scripts: QUEUE_SCRIPTS }));
    this.#prefetch = prefetch;
  }

  /** The command client (shared with whoever passed `connection`). */
  get #client(): Redis {
    return this.redis.client;
  }

  /** One `enqueue-3.lua` call: the payload into the task's hash, the id onto pending. */
  protected addTask(pipeline: ChainableCommander, task: Task, data: string): void {
    const { pending, stats } = this.keys;
    void callScript(
      pipeline,
      ENQUEUE,
      { pending, task: this.keys.task(task.id), stats },
      { id: task.id, data },
    );
  }

  /**
   * Takes the task at the head and moves it to `processing`, waiting up to `timeoutMs`.
   *
   * First a prefetched task, if any; then a non-blocking Lua script (`take-2.lua`: LMOVE + mark
   * started, one round trip on the shared connection); only when nothing is pending does it
   * block with BLMOVE on a dedicated connection, in slices of `blockTimeoutMs`, each guarded by
   * a watchdog.
   *
   * @returns the task (attempts counted, `startedAt` set), or `null` on timeout, on abort, or
   * once the queue is closed.
   * @throws {QueueClosedError} when called after `close()`; {@link InvalidOptionError} for a
   * bad `timeoutMs`; `ERR_REDIS_UNAVAILABLE` when the non-blocking step cannot reach Redis.
   */
  async dequeue(options: DequeueOptions = {}): Promise<Task | null> {
    const { timeoutMs, signal } = dequeueOptions(options);
    this.assertOpen('dequeue');
    const prefetched = this.#prefetched.shift();
    if (prefetched) return { ...prefetched, startedAt: Date.now() };
    const task = await this.#tracked(this.#take());
    if (task || timeoutMs === 0 || signal?.aborted || this.closed) return task;
    return this.waits.wait(Date.now() + timeoutMs, signal, (waiter, remaining) =>
      this.#waitRound(waiter, remaining),
    );
  }

  /**
   * Marks a delivered task completed and stores its result, atomically (Lua `finish-4.lua`):
   * the id leaves `processing`, the result is stored for `resultTtlMs`, the task's hash expires
   * after `taskTtlMs`, and `completed` is counted.
   * @throws {TaskNotProcessingError} `ERR_TASK_NOT_PROCESSING` when the task is not processing
   * (unknown, never delivered, or already finished); {@link InvalidOptionError} when
   * `result.taskId` is not the task's id.
   */
  async ack(task: Task, result: TaskResult): Promise<void> {
    await this.#finish('ack', task, result);
  }

  /**
   * Marks a delivered task failed and stores its result; same atomic step as {@link ack}.
   * @throws the same as {@link RedisTaskQueue.ack}.
   */
  async fail(task: Task, result: TaskResult): Promise<void> {
    await this.#finish('fail', task, result);
  }

  /** The stored result of a task, or `null` (none yet, or expired after `resultTtlMs`). */
  async result(taskId: string): Promise<TaskResult | null> {
    this.assertOpen('read a result');
    const json = await this.redis.run(() => this.#client.get(this.keys.result(taskId)));
    return json === null ? null : (JSON.parse(json) as TaskResult);
  }

  /**
   * A stored task with its state, or `null` (unknown, or expired `taskTtlMs` after finishing).
   * The CLI's `imgq result` uses it to tell "still pending" from "no such task".
   */
  async task(taskId: string): Promise<TaskRecord | null> {
    this.assertOpen('read a task');
    const hash = await this.redis.run(() => this.#client.hgetall(this.keys.task(taskId)));
    if (!hash.data) return null;
    return { task: taskFromHash(hash), state: (hash.state ?? 'pending') as TaskRecord['state'] };
  }

  /** Number of pending tasks (LLEN of the pending list). */
  async size(): Promise<number> {
    this.assertOpen('read the size');
    return this.redis.run(() => this.#client.llen(this.keys.pending));
  }

  /** Depths and counters, read in one MULTI so they are a consistent snapshot. */
  async stats(): Promise<QueueStats> {
    this.assertOpen('read stats');
    const [pending, processing, counters] = (await this.redis.exec(
      this.#client
        .multi()
        .llen(this.keys.pending)
        .llen(this.keys.processing)
        .hmget(this.keys.stats, 'completed', 'failed'),
    )) as [number, number, (string | null)[]];
    return {
      pending,
      processing,
      completed: Number(counters[0] ?? 0),
      failed: Number(counters[1] ?? 0),
    };
  }

  /** Prefetched tasks no consumer got go back to the head of the queue, attempt not counted. */
  protected async handBack(): Promise<void> {
    await this.#requeue(
      this.#prefetched.splice(0).map((t) => t.id),
      true,
    );
  }

  protected override closeBusy(): boolean {
    return this.#takes.size > 0;
  }

  /**
   * One round of a blocked dequeue: a task a top-up brought meanwhile, or one BLMOVE slice
   * (then `start-2.lua` marks the moved task started).
   */
  async #waitRound(waiter: Waiter, remainingMs: number): Promise<Task | null | undefined> {
    const reserved = this.#prefetched.shift();
    if (reserved) return { ...reserved, startedAt: Date.now() };
    const { pending, processing } = this.keys;
    const id = await this.waits.blockOnce(
      waiter,
      Math.min(remainingMs, this.redis.blockTimeoutMs),
      (redis, seconds) => redis.blmove(pending, processing, 'RIGHT', 'LEFT', seconds),
      () => this.#prefetched.length > 0,
    );
    if (id === null) return undefined;
    if (this.waits.isOver(waiter)) {
      // The task reached a consumer that has given up: put it back at the head.
      await this.#requeue([id], false);
      return null;
    }
    return (await this.#start(id)) ?? undefined;
  }

  /** Non-blocking delivery of one task plus the reserve's shortfall (Lua `take-2.lua`). */
  async #take(): Promise<Task | null> {
    const now = Date.now();
    // One for this call, plus what the reserve lacks (a top-up may be on its way already).
    const count = 1 + Math.max(0, this.#prefetch - this.#prefetched.length - this.#toppingUp);
    const reply = await this.redis.run(() =>
      callScript(this.#client, TAKE, this.#takeKeys(), this.#takeArgs(now, count)),
    );
    const tasks = parseTaken(reply, now);
    if (this.closed) {
      // close() ran while the tasks were on their way: nobody will take them here.
      await this.#requeue(
        tasks.map((t) => t.id),
        true,
      );
      return null;
    }
    const [first, ...rest] = tasks;
    this.#prefetched.push(...rest);
    return first ?? null;
  }

  #takeKeys() {
    return { pending: this.keys.pending, processing: this.keys.processing };
  }

  #takeArgs(now: number, count: number) {
    return { taskPrefix: this.keys.task(''), now, count };
  }

  /** Keeps prefetched tasks for the next dequeue calls, or puts them back once closed. */
  async #reserve(tasks: Task[]): Promise<void> {
    if (tasks.length === 0) return;
    if (this.closed) {
      await this.#requeue(
        tasks.map((t) => t.id),
        true,
      );
    } else {
      this.#prefetched.push(...tasks);
      // A consumer blocked in BLMOVE would not see them: unblock it so it looks again.
      this.waits.nudgeAll();
    }
  }

  /** Registers a round trip that may bring tasks, so close() can wait for it. */
  async #tracked<T>(promise: Promise<T>): Promise<T> {
    this.#takes.add(promise);
    try {
      return await promise;
    } finally {
      this.#takes.delete(promise);
    }
  }

  /** Puts delivered ids back at the head of pending, in order (Lua `requeue-2.lua`). */
  async #requeue(ids: string[], undoAttempt: boolean): Promise<void> {
    if (ids.length === 0) return;
    const { processing, pending } = this.keys;
    await this.redis
      .run(() =>
        callScript(
          this.#client,
          REQUEUE,
          { processing, pending },
          { taskPrefix: this.keys.task(''), undoAttempt: undoAttempt ? '1' : '0' },
          ids,
        ),
      )
      .catch((error: unknown) => {
        this.redis.logger.warn(
          { ids, err: String(error) },
          'could not put tasks back; they stay in processing',
        );
      });
  }

  /** Marks a task delivered by BLMOVE as started (Lua `start-2.lua`). */
  async #start(id: string): Promise<Task | null> {
    const now = Date.now();
    const reply = await this.redis.run(() =>
      callScript(
        this.#client,
        START,
        { processing: this.keys.processing, task: this.keys.task(id) },
        { id, now },
      ),
    );
    return reply ? decodeTask(reply[0], reply[1], now) : null;
  }

  async #finish(operation: 'ack' | 'fail', task: Task, result: TaskResult): Promise<void> {
    this.assertOpen(operation === 'ack' ? 'ack a task' : 'fail a task');
    const id = checkFinish(operation, task, result);
    // With prefetch, top the reserve up in the same round trip (one pipeline, two scripts) once
    // it is down to half: one take of many tasks costs Redis less than many takes of one.
    const reserve = this.#prefetched.length + this.#toppingUp;
    const topUp = reserve <= Math.floor(this.#prefetch / 2) ? this.#prefetch - reserve : 0;
    const pipeline = this.#client.pipeline();
    const { processing, stats } = this.keys;
    void callScript(
      pipeline,
      FINISH,
      { processing, task: this.keys.task(id), result: this.keys.result(id), stats },
      {
        id,
        result: JSON.stringify(result),
        status: operation === 'ack' ? 'completed' : 'failed',
        resultTtlMs: ttlArg(this.redis.resultTtlMs),
        taskTtlMs: ttlArg(this.redis.taskTtlMs),
        token: randomUUID(),
      },
    );
    const now = Date.now();
    if (topUp > 0) void callScript(pipeline, TAKE, this.#takeKeys(), this.#takeArgs(now, topUp));
    this.#toppingUp += topUp;
    let replies: [Error | null, unknown][];
    try {
      replies = await this.#tracked(this.redis.run(async () => (await pipeline.exec()) ?? []));
    } finally {
      this.#toppingUp -= topUp;
    }
    const [finished, taken] = replies;
    if (taken && !taken[0]) {
      await this.#reserve(parseTaken(taken[1] as Array<string | number>, now));
    }
    if (finished?.[0]) throw toRedisError(finished[0], this.url);
    const outcome = Number(finished?.[1]);
    if (outcome !== 1) throw notProcessing(operation, id, outcome);
  }
}

/** The `{ id, JSON, attempts, ... }` reply of `take-2.lua` as tasks, in delivery order. */
function parseTaken(reply: Array<string | number>, startedAt: number): Task[] {
  const tasks: Task[] = [];
  for (let i = 0; i + 2 < reply.length; i += 3) {
    tasks.push(decodeTask(String(reply[i + 1]), reply[i + 2]!, startedAt));
  }
  return tasks;
}
