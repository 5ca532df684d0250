import { randomUUID } from 'node:crypto';
import { describeValue, InvalidOptionError, WorkbookError } from '@workbook/session01';
import {
  createTask,
  type DequeueOptions,
  type Logger,
  type NewTask,
  QueueClosedError,
  type QueueStats,
  silentLogger,
  type Task,
  TaskNotProcessingError,
  type TaskQueue,
  type TaskResult,
} from '@workbook/session03';
import type { ChainableCommander, Redis, RedisOptions } from 'ioredis';
import { type BlockingConnection, BlockingPool } from './blocking-pool.ts';
import { redisUrlFromEnv } from './config.ts';
import {
  checkDuration,
  createRedisConnection,
  parseRedisUrl,
  reconnectDelay,
  sleep,
  throttledErrorLog,
  toRedisError,
  ttlArg,
  urlOf,
  WATCHDOG,
  waitUntilReady,
  withWatchdog,
} from './connection.ts';
import { RedisErrorCodes } from './errors.ts';
import { type QueueKeys, queueKeys } from './keys.ts';
import { defineQueueScripts, type ScriptedRedis } from './scripts.ts';

/** Options of {@link RedisTaskQueue}. */
export interface RedisTaskQueueOptions {
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
   * How long a result is kept after ack/fail. `Infinity` keeps results forever (memory grows
   * with every task).
   * @default 86_400_000 (24 h)
   */
  resultTtlMs?: number;
  /**
   * How long a task's hash (payload, attempts) is kept after it finished. `Infinity` keeps it.
   * @default 3_600_000 (1 h)
   */
  taskTtlMs?: number;
  /**
   * Longest single BLMOVE. A long `dequeue` is a loop of blocks this long, so a connection that
   * silently died is noticed within `blockTimeoutMs + watchdogGraceMs`.
   * @default 2_000
   */
  blockTimeoutMs?: number;
  /**
   * How long after its block time a BLMOVE may stay unanswered before the queue declares its
   * connection dead, drops it and blocks again on a new one.
   * @default 1_000
   */
  watchdogGraceMs?: number;
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
  /** Logger for connection trouble (pino or any {@link Logger}). @default silentLogger */
  logger?: Logger;
}

const DEFAULTS = {
  name: 'images',
  prefix: 'imgq',
  resultTtlMs: 86_400_000,
  taskTtlMs: 3_600_000,
  blockTimeoutMs: 2_000,
  watchdogGraceMs: 1_000,
  prefetch: 0,
} as const;

/** What Redis stores for a task besides its counters: the producer's part of {@link Task}. */
type StoredTask = Omit<Task, 'attempts' | 'startedAt' | 'lease'>;

/** A stored task as `task()` reads it, with its state. */
export interface TaskRecord {
  task: Task;
  state: 'pending' | 'processing' | 'completed' | 'failed';
}

/** A consumer blocked in `dequeue` (for close() and abort to wake it). */
interface Waiter {
  connection: BlockingConnection | null;
  woken: boolean;
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
 * @example
 * const queue = new RedisTaskQueue({ url: 'redis://127.0.0.1:6379', name: 'images' });
 * await queue.enqueue({ pipeline, input: 'in/cat.png', output: 'out/cat.webp' });
 * const task = await queue.dequeue({ timeoutMs: 5_000 });
 * if (task) await queue.ack(task, result);
 * await queue.close();
 * @throws {InvalidOptionError} for a bad option, `ERR_INVALID_REDIS_URL` for a bad URL.
 */
export class RedisTaskQueue implements TaskQueue {
  /** The queue's name. */
  readonly name: string;
  /** Every key the queue uses (see {@link queueKeys}). */
  readonly keys: QueueKeys;
  /** The URL the queue connects to (with the password; use `redactUrl` to print it). */
  readonly url: string;

  readonly #client: ScriptedRedis;
  readonly #ownsClient: boolean;
  readonly #pool: BlockingPool;
  readonly #logger: Logger;
  readonly #resultTtlMs: number;
  readonly #taskTtlMs: number;
  readonly #blockTimeoutMs: number;
  readonly #watchdogGraceMs: number;
  readonly #prefetch: number;
  /** Prefetched tasks, already in `processing`, in delivery order. */
  readonly #prefetched: Task[] = [];
  /** Round trips that may bring tasks back (takes, acks with a top-up); close() waits for them. */
  readonly #takes = new Set<Promise<unknown>>();
  /** Tasks asked for by top-ups still on their way (so two acks do not both top up). */
  #toppingUp = 0;
  readonly #waiters = new Set<Waiter>();
  #closed = false;
  #closing: Promise<void> | null = null;

  constructor(options: RedisTaskQueueOptions = {}) {
    this.name = options.name ?? DEFAULTS.name;
    this.keys = queueKeys(this.name, options.prefix ?? DEFAULTS.prefix);
    this.#resultTtlMs = checkDuration(
      'resultTtlMs',
      options.resultTtlMs ?? DEFAULTS.resultTtlMs,
      true,
    );
    this.#taskTtlMs = checkDuration('taskTtlMs', options.taskTtlMs ?? DEFAULTS.taskTtlMs, true);
    this.#blockTimeoutMs = checkDuration(
      'blockTimeoutMs',
      options.blockTimeoutMs ?? DEFAULTS.blockTimeoutMs,
    );
    this.#watchdogGraceMs = checkDuration(
      'watchdogGraceMs',
      options.watchdogGraceMs ?? DEFAULTS.watchdogGraceMs,
    );
    this.#prefetch = options.prefetch ?? DEFAULTS.prefetch;
    if (!Number.isInteger(this.#prefetch) || this.#prefetch < 0 || this.#prefetch > 1000) {
      throw new InvalidOptionError(
        `Expected \`prefetch\` to be an integer from 0 to 1000, got ${describeValue(options.prefetch)}`,
      );
    }
    this.#logger = (options.logger ?? silentLogger).child({ queue: this.name });
    const onError = throttledErrorLog(this.#logger);

    if (options.connection) {
      this.#client = defineQueueScripts(options.connection);
      this.#ownsClient = false;
      this.url = urlOf(options.connection);
    } else {
      this.url = options.url ?? redisUrlFromEnv();
      parseRedisUrl(this.url);
      // No auto-pipelining: it holds every command back to the next event-loop turn to batch
      // it with others, which a worker's strictly sequential dequeue -> ack -> dequeue pays for
      // on every step (measured in `pnpm bench queue`). Batching is explicit instead
      // (enqueueMany's pipeline, prefetch).
      const client = createRedisConnection(
        {
          url: this.url,
          redis: {
            connectionName: `imgq:${this.name}`,
            // Ordinary commands answer in milliseconds; a connection silent for 10 s while a
            // command waits is dead: ioredis then drops it, reconnects and resends.
            socketTimeout: 10_000,
            ...options.redis,
          },
        },
        onError,
      );
      this.#client = defineQueueScripts(client);
      this.#ownsClient = true;
    }

    this.#pool = new BlockingPool(() => {
      const blocking = this.#client.duplicate({
        // Wait through outages instead of failing after N reconnects: the watchdog bounds
        // every wait, and a worker must simply resume when Redis is back.
        maxRetriesPerRequest: null,
        enableAutoPipelining: false,
        connectionName: `imgq:${this.name}:blocking`,
        retryStrategy: reconnectDelay,
        ...options.redis,
        // A BLMOVE is silent by design until its timeout: the watchdog below, which knows the
        // block time, decides when a blocking connection is dead, not a socket timeout.
        socketTimeout: undefined,
      });
      blocking.on('error', onError);
      return blocking;
    });
  }

  /**
   * Waits until Redis accepts commands, or fails fast. Entry points call it once, so a missing
   * Redis is reported within `timeoutMs` with the fix, instead of the first command waiting.
   * @throws {RedisUnavailableError} `ERR_REDIS_UNAVAILABLE`, {@link RedisAuthError} `ERR_REDIS_AUTH`
   */
  async connect(timeoutMs = 3_000): Promise<void> {
    this.#assertOpen('connect');
    await waitUntilReady(this.#client, this.url, timeoutMs);
  }

  /**
   * Adds a task at the tail of the queue. The payload goes into the task's hash and the id onto
   * the pending list, atomically (Lua `enqueue-3.lua`).
   * @throws {QueueClosedError} after `close()`; {@link InvalidOptionError} for a malformed task;
   * `ERR_DUPLICATE_TASK` when a task with this id is stored; `ERR_REDIS_UNAVAILABLE`.
   */
  async enqueue(newTask: NewTask): Promise<Task> {
    const [task] = await this.enqueueMany([newTask]);
    return task!;
  }

  /**
   * Adds several tasks in one round trip (one pipeline of `enqueue-3.lua` calls): much faster
   * than `enqueue` in a loop when a producer has many tasks at once. Each task is added
   * atomically; the batch as a whole is not (a crash half-way leaves the first tasks queued).
   * @throws the same as {@link RedisTaskQueue.enqueue}; a duplicate id rejects after the other
   * tasks of the batch were added.
   */
  async enqueueMany(newTasks: readonly NewTask[]): Promise<Task[]> {
    this.#assertOpen('enqueue');
    if (!Array.isArray(newTasks)) {
      throw new InvalidOptionError(`Expected an array of tasks, got ${describeValue(newTasks)}`);
    }
    const tasks = newTasks.map((newTask) => createTask(newTask));
    if (tasks.length === 0) return [];
    const pipeline = this.#client.pipeline() as unknown as ScriptedRedis;
    for (const task of tasks) {
      const stored: StoredTask = {
        id: task.id,
        pipeline: task.pipeline,
        input: task.input,
        output: task.output,
        createdAt: task.createdAt,
      };
      pipeline.imgqEnqueue(
        this.keys.pending,
        this.keys.task(task.id),
        this.keys.stats,
        task.id,
        JSON.stringify(stored),
      );
    }
    const replies = await this.#run(() =>
      (pipeline as unknown as ReturnType<Redis['pipeline']>).exec(),
    );
    (replies ?? []).forEach(([error, added], index) => {
      if (error) throw toRedisError(error, this.url);
      if (added === 0) {
        const id = tasks[index]!.id;
        throw new WorkbookError(
          RedisErrorCodes.DUPLICATE_TASK,
          `Cannot enqueue task \`${id}\`: a task with this id is already stored in queue ` +
            `\`${this.name}\`. Leave \`id\` out to get a fresh UUID.`,
        );
      }
    });
    return tasks;
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
    const { timeoutMs = 0, signal } = options;
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
      throw new InvalidOptionError(
        `Expected \`timeoutMs\` to be a number >= 0, got ${describeValue(timeoutMs)}`,
      );
    }
    this.#assertOpen('dequeue');
    const prefetched = this.#prefetched.shift();
    if (prefetched) return { ...prefetched, startedAt: Date.now() };
    const task = await this.#tracked(this.#take());
    if (task || timeoutMs === 0 || signal?.aborted || this.#closed) return task;
    return this.#waitForTask(Date.now() + timeoutMs, signal);
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
    this.#assertOpen('read a result');
    const json = await this.#run(() => this.#client.get(this.keys.result(taskId)));
    return json === null ? null : (JSON.parse(json) as TaskResult);
  }

  /**
   * A stored task with its state, or `null` (unknown, or expired `taskTtlMs` after finishing).
   * The CLI's `imgq result` uses it to tell "still pending" from "no such task".
   */
  async task(taskId: string): Promise<TaskRecord | null> {
    this.#assertOpen('read a task');
    const hash = await this.#run(() => this.#client.hgetall(this.keys.task(taskId)));
    if (!hash.data) return null;
    const stored = JSON.parse(hash.data) as StoredTask;
    const task: Task = { ...stored, attempts: Number(hash.attempts ?? 0) };
    if (hash.startedAt) task.startedAt = Number(hash.startedAt);
    return { task, state: (hash.state ?? 'pending') as TaskRecord['state'] };
  }

  /** Number of pending tasks (LLEN of the pending list). */
  async size(): Promise<number> {
    this.#assertOpen('read the size');
    return this.#run(() => this.#client.llen(this.keys.pending));
  }

  /** Depths and counters, read in one MULTI so they are a consistent snapshot. */
  async stats(): Promise<QueueStats> {
    this.#assertOpen('read stats');
    const replies = await this.#run(() =>
      this.#client
        .multi()
        .llen(this.keys.pending)
        .llen(this.keys.processing)
        .hmget(this.keys.stats, 'completed', 'failed')
        .exec(),
    );
    const [pending, processing, counters] = (replies ?? []).map(([error, value]) => {
      if (error) throw toRedisError(error, this.url);
      return value;
    }) as [number, number, (string | null)[]];
    return {
      pending,
      processing,
      completed: Number(counters[0] ?? 0),
      failed: Number(counters[1] ?? 0),
    };
  }

  /**
   * Closes the queue: blocked `dequeue` calls resolve `null` at once (their blocking connections
   * are unblocked with CLIENT UNBLOCK, then disconnected), later calls reject with
   * `ERR_QUEUE_CLOSED`, and the connection is closed unless it was shared. Idempotent.
   */
  async close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    const waiting = [...this.#waiters];
    for (const waiter of waiting) this.#wake(waiter);
    // Give woken consumers a moment to settle (and to requeue a task that reached them just as
    // they were woken) before their connections go away.
    const deadline = Date.now() + 1_000;
    while ((this.#waiters.size > 0 || this.#takes.size > 0) && Date.now() < deadline) {
      await sleep(10);
    }
    // Prefetched tasks no consumer got go back to the head of the queue, attempt not counted.
    await this.#requeue(
      this.#prefetched.splice(0).map((t) => t.id),
      true,
    );
    this.#pool.close();
    if (!this.#ownsClient) return;
    if (this.#client.status === 'ready') {
      await Promise.race([this.#client.quit().catch(() => {}), sleep(1_000)]);
    }
    this.#client.disconnect();
  }

  /** Non-blocking delivery of one task plus the reserve's shortfall (Lua `take-2.lua`). */
  async #take(): Promise<Task | null> {
    const now = Date.now();
    const reply = await this.#run(() =>
      this.#client.imgqTake(
        this.keys.pending,
        this.keys.processing,
        this.keys.task(''),
        now,
        // One for this call, plus what the reserve lacks (a top-up may be on its way already).
        1 + Math.max(0, this.#prefetch - this.#prefetched.length - this.#toppingUp),
      ),
    );
    const tasks = parseTaken(reply, now);
    if (this.#closed) {
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

  /** Keeps prefetched tasks for the next dequeue calls, or puts them back once closed. */
  async #reserve(tasks: Task[]): Promise<void> {
    if (tasks.length === 0) return;
    if (this.#closed)
      await this.#requeue(
        tasks.map((t) => t.id),
        true,
      );
    else {
      this.#prefetched.push(...tasks);
      // A consumer blocked in BLMOVE would not see them: unblock it so it looks again.
      for (const waiter of this.#waiters) this.#nudge(waiter);
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
    await this.#run(() =>
      this.#client.imgqRequeue(
        this.keys.processing,
        this.keys.pending,
        this.keys.task(''),
        undoAttempt ? '1' : '0',
        ...ids,
      ),
    ).catch((error: unknown) => {
      this.#logger.warn(
        { ids, err: String(error) },
        'could not put tasks back; they stay in processing',
      );
    });
  }

  /** Blocks in slices until a task comes, the deadline passes, or the wait is ended. */
  async #waitForTask(deadline: number, signal?: AbortSignal): Promise<Task | null> {
    const waiter: Waiter = { connection: null, woken: false };
    const onAbort = () => this.#wake(waiter);
    this.#waiters.add(waiter);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (this.#closed || waiter.woken) return null;
        // A top-up (an ack's prefetch) may have brought tasks while this consumer blocked.
        const reserved = this.#prefetched.shift();
        if (reserved) return { ...reserved, startedAt: Date.now() };
        const remaining = deadline - Date.now();
        if (remaining <= 0) return null;
        const id = await this.#blockOnce(waiter, Math.min(remaining, this.#blockTimeoutMs));
        if (id === null) continue;
        if (this.#closed || waiter.woken) {
          // The task reached a consumer that has given up: put it back at the head.
          await this.#requeue([id], false);
          return null;
        }
        const task = await this.#start(id);
        if (task) return task;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#waiters.delete(waiter);
    }
  }

  /**
   * One BLMOVE of at most `sliceMs` on a dedicated connection, raced against a watchdog.
   *
   * Why the watchdog: a blocking command is only as reliable as its TCP connection. When the
   * connection dies silently (a half-open socket after a network fault, a frozen VM), or when
   * ioredis loses the command across a reconnect, the promise never settles and a worker would
   * wait forever. Redis always answers a BLMOVE by its timeout, so no answer `graceMs` after
   * that means the connection is gone: drop it and block again on a fresh one. (BullMQ guards
   * its BZPOPMIN the same way; ioredis 6's `blockingTimeout` option resolves the command but
   * keeps the suspect connection.)
   */
  async #blockOnce(waiter: Waiter, sliceMs: number): Promise<string | null> {
    const connection = this.#pool.acquire();
    waiter.connection = connection;
    const limitMs = sliceMs + this.#watchdogGraceMs;
    try {
      if (connection.clientId === null) {
        const id = await withWatchdog(connection.redis.client('ID'), limitMs);
        if (id === WATCHDOG) return this.#dropSilent(connection, limitMs, 'CLIENT ID');
        connection.clientId = id;
      }
      if (this.#closed || waiter.woken || this.#prefetched.length > 0) {
        this.#pool.release(connection);
        return null;
      }
      const moved = await withWatchdog(
        connection.redis.blmove(
          this.keys.pending,
          this.keys.processing,
          'RIGHT',
          'LEFT',
          Math.max(sliceMs, 10) / 1000,
        ),
        limitMs,
      );
      if (moved === WATCHDOG) return this.#dropSilent(connection, limitMs, 'BLMOVE');
      this.#pool.release(connection);
      return moved;
    } catch (error) {
      // Disconnected by close()/abort, or the connection broke: this slice is over. Pause a
      // little so a Redis that refuses connections does not turn the loop into a busy spin.
      this.#pool.discard(connection);
      if (!this.#closed && !waiter.woken) {
        this.#logger.debug({ err: String(error) }, 'blocking dequeue interrupted; retrying');
        await sleep(100);
      }
      return null;
    } finally {
      waiter.connection = null;
    }
  }

  #dropSilent(connection: BlockingConnection, limitMs: number, command: string): null {
    this.#logger.warn(
      { command, waitedMs: limitMs },
      'blocking connection did not answer in time; dropped it and blocking again on a new one',
    );
    this.#pool.discard(connection);
    return null;
  }

  /**
   * Ends one consumer's wait at once: CLIENT UNBLOCK makes its BLMOVE return as if it timed
   * out (so a task that was just moved still reaches it, and is requeued); if the command was
   * not on the server yet, or Redis is unreachable, the connection is cut shortly after.
   */
  #wake(waiter: Waiter): void {
    waiter.woken = true;
    const connection = waiter.connection;
    if (!connection) return;
    if (connection.clientId !== null && this.#client.status === 'ready') {
      this.#client.client('UNBLOCK', connection.clientId).catch(() => {});
    }
    const timer = setTimeout(() => {
      if (waiter.connection === connection) this.#pool.discard(connection);
    }, 200);
    timer.unref();
  }

  /**
   * Makes a blocked consumer look at the reserve again, without ending its wait: CLIENT
   * UNBLOCK turns its BLMOVE into a timeout. The UNBLOCK goes over another connection and can
   * reach Redis before the BLMOVE does (then it does nothing), so it is repeated for a moment
   * while the consumer is still blocked. Safe: an unblocked BLMOVE that got a task still
   * delivers it.
   */
  #nudge(waiter: Waiter): void {
    const connection = waiter.connection;
    if (!connection) return; // between two blocks: it checks the reserve before the next
    let attempts = 0;
    const unblock = () => {
      if (waiter.connection !== connection || attempts++ >= 10) return;
      if (connection.clientId !== null && this.#client.status === 'ready') {
        this.#client.client('UNBLOCK', connection.clientId).catch(() => {});
      }
      setTimeout(unblock, 50).unref();
    };
    unblock();
  }

  /** Marks a task delivered by BLMOVE as started (Lua `start-2.lua`). */
  async #start(id: string): Promise<Task | null> {
    const now = Date.now();
    const reply = await this.#run(() =>
      this.#client.imgqStart(this.keys.processing, this.keys.task(id), id, now),
    );
    if (!reply) return null;
    return toTask(reply[0], reply[1], now);
  }

  async #finish(operation: 'ack' | 'fail', task: Task, result: TaskResult): Promise<void> {
    this.#assertOpen(operation === 'ack' ? 'ack a task' : 'fail a task');
    const id = (task as Partial<Task> | null)?.id;
    if (typeof id !== 'string' || id.length === 0) {
      throw new TaskNotProcessingError(operation, String(id), 'it has no id');
    }
    if (result?.taskId !== id) {
      throw new InvalidOptionError(
        `Expected the result of task \`${id}\` to have \`taskId\` \`${id}\`, got ` +
          describeValue(result?.taskId),
      );
    }
    const status = operation === 'ack' ? 'completed' : 'failed';
    // With prefetch, top the reserve up in the same round trip (one pipeline, two scripts) once
    // it is down to half: one take of many tasks costs Redis less than many takes of one.
    const reserve = this.#prefetched.length + this.#toppingUp;
    const topUp = reserve <= Math.floor(this.#prefetch / 2) ? this.#prefetch - reserve : 0;
    const pipeline = this.#client.pipeline() as unknown as ScriptedRedis;
    pipeline.imgqFinish(
      this.keys.processing,
      this.keys.task(id),
      this.keys.result(id),
      this.keys.stats,
      id,
      JSON.stringify(result),
      status,
      ttlArg(this.#resultTtlMs),
      ttlArg(this.#taskTtlMs),
      randomUUID(),
    );
    const now = Date.now();
    if (topUp > 0) {
      pipeline.imgqTake(this.keys.pending, this.keys.processing, this.keys.task(''), now, topUp);
    }
    this.#toppingUp += topUp;
    let replies: [Error | null, unknown][];
    try {
      replies = await this.#tracked(
        this.#run(async () => (await (pipeline as unknown as ChainableCommander).exec()) ?? []),
      );
    } finally {
      this.#toppingUp -= topUp;
    }
    const [finished, taken] = replies;
    if (taken && !taken[0])
      await this.#reserve(parseTaken(taken[1] as Array<string | number>, now));
    if (finished?.[0]) throw toRedisError(finished[0], this.url);
    const outcome = finished?.[1];
    if (outcome === 1) return;
    const detail =
      outcome === -1
        ? 'it was already acked or failed'
        : 'this queue has not delivered it (unknown id, or not dequeued)';
    throw new TaskNotProcessingError(operation, id, detail);
  }

  /** Runs a command, turning connection trouble into `ERR_REDIS_UNAVAILABLE`. */
  async #run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw toRedisError(error, this.url);
    }
  }

  #assertOpen(operation: string): void {
    if (this.#closed) throw new QueueClosedError(operation);
  }
}

/** The `{ id, JSON, attempts, ... }` reply of `take-2.lua` as tasks, in delivery order. */
function parseTaken(reply: Array<string | number>, startedAt: number): Task[] {
  const tasks: Task[] = [];
  for (let i = 0; i + 2 < reply.length; i += 3) {
    tasks.push(toTask(String(reply[i + 1]), reply[i + 2]!, startedAt));
  }
  return tasks;
}

function toTask(data: string, attempts: number | string, startedAt: number): Task {
  const stored = JSON.parse(data) as StoredTask;
  return { ...stored, attempts: Number(attempts), startedAt };
}
