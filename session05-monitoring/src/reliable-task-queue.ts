import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  describeValue,
  InvalidOptionError,
  type SerializedError,
  WorkbookError,
} from '@workbook/session01';
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
import {
  type BlockingConnection,
  BlockingPool,
  checkDuration,
  createRedisConnection,
  parseRedisUrl,
  RedisErrorCodes,
  reconnectDelay,
  redisUrlFromEnv,
  sleep,
  throttledErrorLog,
  toRedisError,
  ttlArg,
  urlOf,
  WATCHDOG,
  waitUntilReady,
  withWatchdog,
} from '@workbook/session04';
import type { Redis, RedisOptions } from 'ioredis';
import {
  type BackoffOptions,
  computeBackoff,
  type ResolvedBackoff,
  resolveBackoff,
} from './backoff.ts';
import { LeaseLostError } from './errors.ts';
import { checkWorkerId, type ReliableKeys, reliableKeys } from './keys.ts';
import { checkCodes, isRetryable, NON_RETRYABLE_CODES } from './retry-policy.ts';
import { defineReliableScripts, type FencedReply, type ScriptedRedis } from './scripts.ts';

/** Options of {@link ReliableTaskQueue}. */
export interface ReliableTaskQueueOptions {
  /** Queue name: the `{name}` in every key. @default 'images' */
  name?: string;
  /** First segment of every key. @default 'imgq' */
  prefix?: string;
  /**
   * Where Redis is. Ignored when `connection` is given.
   * @default process.env.REDIS_URL, else 'redis://127.0.0.1:6379'
   */
  url?: string;
  /** Extra ioredis options for the connections the queue opens. */
  redis?: RedisOptions;
  /** An ioredis client to share for ordinary commands; the queue never closes it. */
  connection?: Redis;
  /**
   * Who holds the leases this queue instance takes: the worker id the registry knows. A worker
   * uses its own id; recovery reclaims the leases of an owner whose heartbeat has expired.
   * @default `consumer-<8 hex>`
   */
  owner?: string;
  /**
   * How long a lease lasts unless its owner extends it. The owner extends every lease once per
   * heartbeat, so this bounds how long a task stays stuck with a crashed or stalled worker.
   * Shorter: faster recovery, more heartbeats needed to stay safe; longer: slower recovery.
   * @default 2000
   */
  leaseMs?: number;
  /** Deliveries a task gets before it is dead-lettered (failures and expired leases count). @default 5 */
  maxAttempts?: number;
  /** Retry delays (see `computeBackoff`). @default DEFAULT_BACKOFF (1 s doubling, cap 60 s, equal jitter) */
  backoff?: BackoffOptions;
  /** Error codes sent straight to the DLQ. @default NON_RETRYABLE_CODES */
  nonRetryableCodes?: Iterable<string>;
  /** Random source of the jitter, in [0, 1). @default Math.random */
  random?: () => number;
  /** How long a result is kept (`Infinity`: forever). @default 86_400_000 (24 h) */
  resultTtlMs?: number;
  /** How long a completed task's hash is kept (`Infinity`: forever). @default 3_600_000 (1 h) */
  taskTtlMs?: number;
  /** Longest single blocking wait for the doorbell. @default 2000 */
  blockTimeoutMs?: number;
  /** How long a blocking wait may overrun before its connection is declared dead. @default 1000 */
  watchdogGraceMs?: number;
  /** How long a dead worker stays listed in the registry before recovery forgets it. @default 300_000 */
  deadWorkerRetentionMs?: number;
  /**
   * How many tasks one delivery takes at once. Above 1 this is prefetching: the extra tasks
   * wait in this process — leased to this owner, their leases extended like the others — and
   * the next `dequeue` calls return them without a round trip. Workers set it to their
   * concurrency (as session 04's `imgq worker` does). The price: a prefetched task waits here
   * even if another worker is idle; `close()` and `release()` hand unstarted ones back.
   * @default 1
   */
  prefetch?: number;
  /** Most tasks one recovery pass moves (bounds the time Redis spends in the script). @default 1000 */
  recoveryBatch?: number;
  /** Logger for connection trouble and lost leases. @default silentLogger */
  logger?: Logger;
}

const DEFAULTS = {
  name: 'images',
  prefix: 'imgq',
  leaseMs: 2_000,
  maxAttempts: 5,
  resultTtlMs: 86_400_000,
  taskTtlMs: 3_600_000,
  blockTimeoutMs: 2_000,
  watchdogGraceMs: 1_000,
  deadWorkerRetentionMs: 300_000,
  recoveryBatch: 1_000,
  prefetch: 1,
} as const;

/** Due retries one `dequeue` promotes at most (the recovery step promotes the rest). */
const PROMOTE_PER_TAKE = 100;

/** Where a task is. Every stored task is in exactly one of these. */
export type TaskState = 'pending' | 'delayed' | 'processing' | 'completed' | 'dead';

/** A stored task with everything the queue knows about it (`imgq result`, tests, the DLQ). */
export interface TaskRecord {
  task: Task;
  state: TaskState;
  /** The current lease owner (processing) or the last one. */
  owner: string | null;
  /** Lease deadline (epoch ms, Redis clock) while processing. */
  leaseDeadline: number | null;
  /** When a delayed retry is due (epoch ms). */
  dueAt: number | null;
  /** The error of the last failed attempt. */
  lastError: SerializedError | null;
}

/** Depths and counters of a reliable queue: what `imgq status` and the monitor show. */
export interface QueueCounts {
  /** Waiting to be delivered. */
  pending: number;
  /** Delivered, under a lease. */
  processing: number;
  /** Waiting for a retry to be due. */
  delayed: number;
  /** In the dead letter queue now. */
  dlq: number;
  /** Acked with a result (counter). */
  completed: number;
  /** Dead-lettered (counter: failed for good, including tasks later retried from the DLQ). */
  failed: number;
  /** Tasks enqueued (counter). */
  enqueued: number;
  /** Failed attempts scheduled for a retry (counter). */
  retried: number;
  /** Tasks taken back from dead or stalled workers (counter). */
  recovered: number;
  /** Tasks handed back by workers shutting down (counter). */
  released: number;
}

/** What `fail()` did with the task. */
export type FailOutcome =
  | { outcome: 'retry'; delayMs: number; dueAt: number }
  | { outcome: 'dead'; reason: 'non-retryable' | 'attempts-exhausted' };

/** Why a task is in the dead letter queue. */
export type DeadReason = 'non-retryable' | 'attempts-exhausted' | 'lease-expired';

/** One entry of the dead letter queue. */
export interface DeadLetterEntry {
  /** The task as it was queued, with its attempts. */
  task: Task;
  /** The error that sent it here (ERR_LEASE_EXPIRED_TOO_OFTEN for lease expiries). */
  error: SerializedError;
  reason: DeadReason;
  attempts: number;
  /** When its first attempt failed (epoch ms). */
  firstFailedAt: number | null;
  /** When its last attempt failed (epoch ms). */
  lastFailedAt: number | null;
  /** When it entered the dead letter queue (epoch ms). */
  deadAt: number;
  /** The worker of its last attempt. */
  lastWorker: string | null;
}

/** A page of the dead letter queue, oldest entry first. */
export interface DeadLetterPage {
  /** Entries in the DLQ in total. */
  total: number;
  offset: number;
  entries: DeadLetterEntry[];
}

/** What one recovery pass did. */
export interface RecoveryReport {
  /** Tasks taken back from dead or stalled workers, now pending again. */
  requeued: string[];
  /** Tasks whose lease expired on their last attempt: now in the DLQ. */
  deadLettered: string[];
  /** Retries that were due and moved to pending. */
  promoted: number;
  /** Workers found dead (heartbeat expired) in this pass. */
  reapedWorkers: string[];
}

/** A lease as Redis holds it: which task, whose, until when. */
export interface LeaseInfo {
  taskId: string;
  /** The task's input path. */
  input: string;
  /** The worker holding it. */
  owner: string | null;
  /** Lease deadline (epoch ms, Redis clock). */
  deadline: number;
}

/** A task this queue instance delivered and holds the lease of. */
export interface HeldTask {
  task: Task;
  /** Lease token (also `task.lease`). */
  token: string;
  /** When it was delivered (epoch ms, this process's clock). */
  since: number;
}

/** Events of a {@link ReliableTaskQueue} (for what this instance did). */
export interface ReliableQueueEvents {
  completed: [event: { taskId: string; workerId: string }];
  retried: [event: { task: Task; error: SerializedError; delayMs: number; dueAt: number }];
  deadLettered: [event: { task: Task; error: SerializedError; reason: DeadReason }];
  leaseLost: [event: { taskId: string; operation: 'ack' | 'fail' | 'extend' }];
  released: [event: { taskIds: string[] }];
  recovered: [report: RecoveryReport];
}

interface Waiter {
  connection: BlockingConnection | null;
  woken: boolean;
}

/**
 * A {@link TaskQueue} on Redis that never loses a task: session 04's queue plus leases,
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
 * With `maxAttempts: 1` every failure is final, as in sessions 03-04.
 *
 * @example
 * const queue = new ReliableTaskQueue({ url, name: 'images', owner: 'worker-1' });
 * const task = await queue.dequeue({ timeoutMs: 5_000 });
 * // ... while working: await queue.extendLeases() every heartbeat (ReliableWorker does it)
 * if (task) await queue.ack(task, result);
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` for a bad option; `ERR_INVALID_REDIS_URL`.
 */
export class ReliableTaskQueue extends EventEmitter<ReliableQueueEvents> implements TaskQueue {
  readonly name: string;
  /** First segment of every key. */
  readonly prefix: string;
  readonly keys: ReliableKeys;
  readonly url: string;
  /** Owner recorded on every lease this instance takes. */
  readonly owner: string;
  readonly leaseMs: number;
  readonly maxAttempts: number;
  readonly backoff: ResolvedBackoff;
  readonly nonRetryableCodes: ReadonlySet<string>;

  readonly #client: ScriptedRedis;
  readonly #ownsClient: boolean;
  readonly #pool: BlockingPool;
  readonly #logger: Logger;
  readonly #random: () => number;
  readonly #resultTtlMs: number;
  readonly #taskTtlMs: number;
  readonly #blockTimeoutMs: number;
  readonly #watchdogGraceMs: number;
  readonly #deadRetentionMs: number;
  readonly #recoveryBatch: number;
  readonly #prefetch: number;
  /** Every lease this instance holds: tasks handed out and tasks prefetched. */
  readonly #held = new Map<string, HeldTask>();
  /** Prefetched tasks not handed out yet, in delivery order. */
  readonly #buffer: Task[] = [];
  readonly #waiters = new Set<Waiter>();
  #closed = false;
  #closing: Promise<void> | null = null;

  constructor(options: ReliableTaskQueueOptions = {}) {
    super();
    this.name = options.name ?? DEFAULTS.name;
    this.prefix = options.prefix ?? DEFAULTS.prefix;
    this.keys = reliableKeys(this.name, this.prefix);
    this.owner = checkWorkerId(options.owner ?? `consumer-${randomUUID().slice(0, 8)}`);
    this.leaseMs = checkDuration('leaseMs', options.leaseMs ?? DEFAULTS.leaseMs);
    this.maxAttempts = checkCount('maxAttempts', options.maxAttempts ?? DEFAULTS.maxAttempts);
    this.backoff = resolveBackoff(options.backoff);
    this.nonRetryableCodes = checkCodes(options.nonRetryableCodes ?? NON_RETRYABLE_CODES);
    if (options.random !== undefined && typeof options.random !== 'function') {
      throw new InvalidOptionError(
        `Expected \`random\` to be a function returning [0, 1), got ${describeValue(options.random)}`,
      );
    }
    this.#random = options.random ?? Math.random;
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
    this.#deadRetentionMs = checkDuration(
      'deadWorkerRetentionMs',
      options.deadWorkerRetentionMs ?? DEFAULTS.deadWorkerRetentionMs,
    );
    this.#recoveryBatch = checkCount(
      'recoveryBatch',
      options.recoveryBatch ?? DEFAULTS.recoveryBatch,
    );
    this.#prefetch = checkCount('prefetch', options.prefetch ?? DEFAULTS.prefetch, 1, 1_000);
    this.#logger = (options.logger ?? silentLogger).child({ queue: this.name });
    const onError = throttledErrorLog(this.#logger);

    if (options.connection) {
      this.#client = defineReliableScripts(options.connection);
      this.#ownsClient = false;
      this.url = urlOf(options.connection);
    } else {
      this.url = options.url ?? redisUrlFromEnv();
      parseRedisUrl(this.url);
      const client = createRedisConnection(
        {
          url: this.url,
          redis: {
            connectionName: `imgq:${this.name}:${this.owner}`,
            socketTimeout: 10_000,
            ...options.redis,
          },
        },
        onError,
      );
      this.#client = defineReliableScripts(client);
      this.#ownsClient = true;
    }

    // Session 04's pool: one dedicated connection per consumer blocked at the same moment.
    this.#pool = new BlockingPool(() => {
      const blocking = this.#client.duplicate({
        maxRetriesPerRequest: null,
        enableAutoPipelining: false,
        connectionName: `imgq:${this.name}:${this.owner}:blocking`,
        retryStrategy: reconnectDelay,
        ...options.redis,
        socketTimeout: undefined,
      });
      blocking.on('error', onError);
      return blocking;
    });
  }

  /** The queue's command connection (shared with the worker registry of the same process). */
  get connection(): Redis {
    return this.#client;
  }

  /**
   * Waits until Redis accepts commands, or fails fast with the fix.
   * @throws {RedisUnavailableError} `ERR_REDIS_UNAVAILABLE`; {@link RedisAuthError} `ERR_REDIS_AUTH`
   */
  async connect(timeoutMs = 3_000): Promise<void> {
    this.#assertOpen('connect');
    await waitUntilReady(this.#client, this.url, timeoutMs);
  }

  // ---- producer side -----------------------------------------------------------------------

  /**
   * Adds a task at the tail and rings the doorbell (Lua `enqueue-4.lua`).
   * @throws {QueueClosedError} after close; {@link InvalidOptionError} for a malformed task;
   * `ERR_DUPLICATE_TASK` when the id is taken; `ERR_REDIS_UNAVAILABLE`.
   */
  async enqueue(newTask: NewTask): Promise<Task> {
    const [task] = await this.enqueueMany([newTask]);
    return task!;
  }

  /**
   * Adds several tasks in one round trip; each is added atomically, the batch is not.
   * @throws the same as {@link ReliableTaskQueue.enqueue}.
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
      const { id, pipeline: spec, input, output, createdAt } = task;
      pipeline.rqEnqueue(
        this.keys.pending,
        this.keys.task(id),
        this.keys.stats,
        this.keys.signal,
        id,
        JSON.stringify({ id, pipeline: spec, input, output, createdAt }),
      );
    }
    const replies = await this.#run(() =>
      (pipeline as unknown as ReturnType<Redis['pipeline']>).exec(),
    );
    (replies ?? []).forEach(([error, added], index) => {
      if (error) throw toRedisError(error, this.url);
      if (added === 0) {
        throw new WorkbookError(
          RedisErrorCodes.DUPLICATE_TASK,
          `Cannot enqueue task \`${tasks[index]!.id}\`: a task with this id is already stored in ` +
            `queue \`${this.name}\`. Leave \`id\` out to get a fresh UUID.`,
        );
      }
    });
    return tasks;
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
  async dequeue(options: DequeueOptions = {}): Promise<Task | null> {
    const { timeoutMs = 0, signal } = options;
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
      throw new InvalidOptionError(
        `Expected \`timeoutMs\` to be a number >= 0, got ${describeValue(timeoutMs)}`,
      );
    }
    this.#assertOpen('dequeue');
    const prefetched = this.#handOut();
    if (prefetched) return prefetched;
    const first = await this.#take();
    if (first.task || timeoutMs === 0 || signal?.aborted || this.#closed) return first.task;
    return this.#waitForTask(Date.now() + timeoutMs, first.nextDueMs, signal);
  }

  /**
   * Stores the result of a task this caller holds the lease of (Lua `complete-4.lua`).
   * @throws {LeaseLostError} `ERR_LEASE_LOST` when the lease was taken over;
   * {@link TaskNotProcessingError} `ERR_TASK_NOT_PROCESSING` when the task is unknown, was never
   * delivered, or this delivery already finished; {@link InvalidOptionError} for a result of
   * another task.
   */
  async ack(task: Task, result: TaskResult): Promise<void> {
    const { id, token } = this.#checkFinish('ack', task, result);
    const reply = await this.#run(() =>
      this.#client.rqComplete(
        this.keys.leases,
        this.keys.task(id),
        this.keys.result(id),
        this.keys.stats,
        id,
        token,
        randomUUID(),
        JSON.stringify(result),
        ttlArg(this.#resultTtlMs),
        ttlArg(this.#taskTtlMs),
      ),
    );
    this.#settle('ack', id, token, reply);
    this.emit('completed', { taskId: id, workerId: result.workerId });
  }

  /**
   * Fails one attempt (Lua `fail-8.lua`): schedules a retry after `computeBackoff(attempt)`, or
   * dead-letters the task when its error code is non-retryable or it was the last attempt.
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
    const { id, token } = this.#checkFinish('fail', task, result);
    const error = flatError(result.error);
    const retryable = isRetryable(error.code, this.nonRetryableCodes);
    const attempt = Number.isInteger(task.attempts) && task.attempts >= 1 ? task.attempts : 1;
    const delayMs = computeBackoff(attempt, this.backoff, this.#random);
    const reply = await this.#run(() =>
      this.#client.rqFail(
        this.keys.leases,
        this.keys.delayed,
        this.keys.pending,
        this.keys.dlq,
        this.keys.task(id),
        this.keys.result(id),
        this.keys.stats,
        this.keys.signal,
        id,
        token,
        randomUUID(),
        JSON.stringify(result),
        JSON.stringify(error),
        retryable ? '1' : '0',
        this.maxAttempts,
        delayMs,
        result.workerId,
        ttlArg(this.#resultTtlMs),
      ),
    );
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
    const waiting = new Set(this.#buffer.map((task) => task.id));
    return [...this.#held.values()].filter((h) => !waiting.has(h.task.id)).map((h) => ({ ...h }));
  }

  /**
   * Extends every lease this instance holds by `leaseMs`, in ONE call (Lua
   * `extendLeases-1.lua`). A worker calls it on every heartbeat.
   * @returns the ids of the tasks whose lease was lost (taken over): stop working on them.
   */
  async extendLeases(): Promise<string[]> {
    this.#assertOpen('extend leases');
    const pairs = [...this.#held.values()].flatMap((held) => [held.task.id, held.token]);
    if (pairs.length === 0) return [];
    const lost = await this.#run(() =>
      this.#client.rqExtendLeases(this.keys.leases, this.keys.taskPrefix, this.leaseMs, ...pairs),
    );
    this.#unbuffer(lost);
    for (const id of lost) {
      this.#held.delete(id);
      this.#logger.warn({ taskId: id }, 'lease lost: the task was taken back by recovery');
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
    this.#assertOpen('release tasks');
    const pairs = (tasks ?? [...this.#held.values()].map((held) => held.task))
      .filter((task) => typeof task.lease === 'string')
      .flatMap((task) => [task.id, task.lease!]);
    if (pairs.length === 0) return [];
    const released = await this.#run(() =>
      this.#client.rqReleaseLeases(
        this.keys.leases,
        this.keys.pending,
        this.keys.stats,
        this.keys.signal,
        this.keys.taskPrefix,
        ...pairs,
      ),
    );
    for (let i = 0; i < pairs.length; i += 2) this.#forget(pairs[i]!, pairs[i + 1]!);
    this.#unbuffer(released);
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
    this.#assertOpen('recover');
    const [requeued, deadLettered, promoted, reapedWorkers] = await this.#run(() =>
      this.#client.rqRecover(
        this.keys.leases,
        this.keys.pending,
        this.keys.delayed,
        this.keys.dlq,
        this.keys.signal,
        this.keys.stats,
        this.keys.workers,
        this.keys.taskPrefix,
        this.keys.resultPrefix,
        this.keys.workerPrefix,
        this.maxAttempts,
        this.#recoveryBatch,
        ttlArg(this.#resultTtlMs),
        this.#deadRetentionMs,
      ),
    );
    const report: RecoveryReport = { requeued, deadLettered, promoted, reapedWorkers };
    if (requeued.length + deadLettered.length + reapedWorkers.length > 0) {
      this.#logger.info(
        { requeued: requeued.length, deadLettered: deadLettered.length, reapedWorkers },
        'recovery took tasks back',
      );
    }
    if (requeued.length + deadLettered.length + promoted + reapedWorkers.length > 0) {
      this.emit('recovered', report);
    }
    return report;
  }

  // ---- reading -----------------------------------------------------------------------------

  /** The stored result of a task, or `null` (not final yet, or expired after `resultTtlMs`). */
  async result(taskId: string): Promise<TaskResult | null> {
    this.#assertOpen('read a result');
    const json = await this.#run(() => this.#client.get(this.keys.result(taskId)));
    return json === null ? null : (JSON.parse(json) as TaskResult);
  }

  /** A stored task with its state, lease and last error, or `null` when unknown or expired. */
  async inspect(taskId: string): Promise<TaskRecord | null> {
    this.#assertOpen('read a task');
    const [hash, deadline] = await this.#run(() =>
      Promise.all([
        this.#client.hgetall(this.keys.task(taskId)),
        this.#client.zscore(this.keys.leases, taskId),
      ]),
    );
    if (!hash.data) return null;
    return {
      task: storedTask(hash),
      state: (hash.state ?? 'pending') as TaskState,
      owner: hash.owner ?? null,
      leaseDeadline: deadline === null ? null : Number(deadline),
      dueAt: hash.dueAt ? Number(hash.dueAt) : null,
      lastError: hash.lastError ? (JSON.parse(hash.lastError) as SerializedError) : null,
    };
  }

  /**
   * Every lease in the queue (every task in processing), soonest deadline first: who holds
   * what, as Redis sees it — unlike a worker's heartbeat report, never out of date.
   */
  async leases(): Promise<LeaseInfo[]> {
    this.#assertOpen('read leases');
    const flat = (await this.#run(() =>
      this.#client.zrange(this.keys.leases, 0, '-1', 'WITHSCORES'),
    )) as unknown as string[];
    const ids = flat.filter((_, index) => index % 2 === 0);
    const fields = await this.#run(() =>
      Promise.all(ids.map((id) => this.#client.hmget(this.keys.task(id), 'owner', 'data'))),
    );
    return ids.map((taskId, index) => {
      const [owner, data] = fields[index] ?? [];
      const input = data ? (JSON.parse(data) as { input?: string }).input : undefined;
      return {
        taskId,
        input: input ?? '?',
        owner: owner ?? null,
        deadline: Number(flat[index * 2 + 1]),
      };
    });
  }

  /** Number of pending tasks. */
  async size(): Promise<number> {
    this.#assertOpen('read the size');
    return this.#run(() => this.#client.llen(this.keys.pending));
  }

  /**
   * Session 03's four numbers, in one MULTI: `processing` counts leases, `failed` counts tasks
   * dead-lettered. {@link ReliableTaskQueue.counts} has the rest.
   */
  async stats(): Promise<QueueStats> {
    const counts = await this.counts();
    return {
      pending: counts.pending,
      processing: counts.processing,
      completed: counts.completed,
      failed: counts.failed,
    };
  }

  /** Every depth and counter, read in one MULTI (a consistent snapshot). */
  async counts(): Promise<QueueCounts> {
    this.#assertOpen('read stats');
    const replies = await this.#run(() =>
      this.#client
        .multi()
        .llen(this.keys.pending)
        .zcard(this.keys.leases)
        .zcard(this.keys.delayed)
        .zcard(this.keys.dlq)
        .hgetall(this.keys.stats)
        .exec(),
    );
    const [pending, processing, delayed, dlq, stats] = (replies ?? []).map(([error, value]) => {
      if (error) throw toRedisError(error, this.url);
      return value;
    }) as [number, number, number, number, Record<string, string>];
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

  // ---- dead letter queue -------------------------------------------------------------------

  /**
   * A page of the dead letter queue, oldest entry first.
   * @param options.offset entries to skip @default 0
   * @param options.limit most entries returned (1-1000) @default 20
   */
  async dlqList(options: { offset?: number; limit?: number } = {}): Promise<DeadLetterPage> {
    this.#assertOpen('read the dead letter queue');
    const offset = checkCount('offset', options.offset ?? 0, 0);
    const limit = checkCount('limit', options.limit ?? 20, 1, 1_000);
    const [total, ids] = await this.#run(() =>
      Promise.all([
        this.#client.zcard(this.keys.dlq),
        this.#client.zrange(this.keys.dlq, offset, String(offset + limit - 1), 'WITHSCORES'),
      ]),
    );
    const flat = ids as unknown as string[];
    const pairs: Array<[string, number]> = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, Number(flat[i + 1])]);
    const hashes = await this.#run(() =>
      Promise.all(pairs.map(([id]) => this.#client.hgetall(this.keys.task(id)))),
    );
    const entries = pairs.flatMap(([id, deadAt], index) => {
      const hash = hashes[index]!;
      return hash.data ? [deadLetterEntry(id, deadAt, hash)] : [];
    });
    return { total, offset, entries };
  }

  /**
   * Moves dead-lettered tasks back to pending (Lua `retryDead-4.lua`): the given ids, or all.
   * Attempts are reset to 0 unless `keepAttempts` (then the task gets only what it had left,
   * at least one more delivery).
   * @returns the ids moved, and the ids that were not in the DLQ.
   */
  async dlqRetry(
    target: readonly string[] | 'all',
    options: { keepAttempts?: boolean } = {},
  ): Promise<{ retried: string[]; missing: string[] }> {
    this.#assertOpen('retry dead letters');
    const keep = options.keepAttempts === true ? '1' : '0';
    const call = (mode: 'all' | 'ids', ids: readonly string[]) =>
      this.#run(() =>
        this.#client.rqRetryDead(
          this.keys.dlq,
          this.keys.pending,
          this.keys.stats,
          this.keys.signal,
          this.keys.taskPrefix,
          this.keys.resultPrefix,
          keep,
          mode,
          this.#recoveryBatch,
          ...ids,
        ),
      );
    if (target !== 'all') {
      if (!Array.isArray(target) || target.some((id) => typeof id !== 'string' || id === '')) {
        throw new InvalidOptionError(`Expected task ids or 'all', got ${describeValue(target)}`);
      }
      if (target.length === 0) return { retried: [], missing: [] };
      const [retried, missing] = await call('ids', target);
      return { retried, missing };
    }
    // In batches, but never more than what was there when we started: tasks that die again
    // meanwhile wait for the next call instead of keeping this one going.
    let budget = await this.#run(() => this.#client.zcard(this.keys.dlq));
    const retried: string[] = [];
    while (budget > 0) {
      const [moved] = await call('all', []);
      if (moved.length === 0) break;
      retried.push(...moved);
      budget -= moved.length;
    }
    return { retried, missing: [] };
  }

  /**
   * Deletes dead-lettered tasks for good (Lua `purgeDead-1.lua`, in batches).
   * @param options.olderThanMs only entries dead-lettered longer ago than this @default all
   * @returns how many were deleted.
   */
  async dlqPurge(options: { olderThanMs?: number } = {}): Promise<number> {
    this.#assertOpen('purge dead letters');
    const age =
      options.olderThanMs === undefined ? -1 : checkCount('olderThanMs', options.olderThanMs, 0);
    let purged = 0;
    for (;;) {
      const n = await this.#run(() =>
        this.#client.rqPurgeDead(
          this.keys.dlq,
          this.keys.taskPrefix,
          this.keys.resultPrefix,
          age,
          this.#recoveryBatch,
        ),
      );
      purged += n;
      if (n < this.#recoveryBatch) return purged;
    }
  }

  // ---- closing -----------------------------------------------------------------------------

  /**
   * Closes the queue: blocked `dequeue` calls resolve `null` at once, later calls reject with
   * `ERR_QUEUE_CLOSED`, and the connection is closed unless it was shared. Leases still held
   * are NOT handed back (call {@link ReliableTaskQueue.release} first, as ReliableWorker does):
   * they expire and recovery takes the tasks back, as after a crash. Idempotent.
   */
  async close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** `true` once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiters) this.#wake(waiter);
    const deadline = Date.now() + 1_000;
    while (this.#waiters.size > 0 && Date.now() < deadline) await sleep(10);
    // Prefetched tasks nobody started go back to the head of the queue, attempt not counted.
    const unstarted = this.#buffer.splice(0);
    if (unstarted.length > 0) await this.#releaseNow(unstarted).catch(() => {});
    this.#pool.close();
    if (!this.#ownsClient) return;
    if (this.#client.status === 'ready') {
      await Promise.race([this.#client.quit().catch(() => {}), sleep(1_000)]);
    }
    this.#client.disconnect();
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Non-blocking delivery (Lua `take-4.lua`): up to `prefetch` tasks, the first handed out. */
  async #take(): Promise<{ task: Task | null; nextDueMs: number }> {
    const reply = await this.#run(() =>
      this.#client.rqTake(
        this.keys.pending,
        this.keys.leases,
        this.keys.delayed,
        this.keys.signal,
        this.keys.taskPrefix,
        this.owner,
        this.leaseMs,
        randomBytes(6).toString('hex'),
        PROMOTE_PER_TAKE,
        this.#prefetch,
      ),
    );
    const [count, startedAt, nextDue] = reply.slice(0, 3).map(Number) as [number, number, number];
    const since = Date.now();
    for (let i = 0; i < count; i++) {
      const [id, data, attempts, token] = reply.slice(3 + i * 4, 7 + i * 4).map(String) as [
        string,
        string,
        string,
        string,
      ];
      const task: Task = {
        ...(JSON.parse(data) as Omit<Task, 'attempts'>),
        id,
        attempts: Number(attempts),
        startedAt,
        lease: token,
      };
      this.#held.set(task.id, { task, token, since });
      this.#buffer.push(task);
    }
    return { task: this.#handOut(), nextDueMs: count === 0 ? nextDue : -1 };
  }

  /** The next prefetched task, now handed out (its `since` restarts: it starts now). */
  #handOut(): Task | null {
    const task = this.#buffer.shift();
    if (!task) return null;
    const held = this.#held.get(task.id);
    if (held) held.since = Date.now();
    return task;
  }

  /** Drops tasks that are no longer ours from the prefetch buffer. */
  #unbuffer(ids: readonly string[]): void {
    if (ids.length === 0 || this.#buffer.length === 0) return;
    const gone = new Set(ids);
    for (let i = this.#buffer.length - 1; i >= 0; i--) {
      if (gone.has(this.#buffer[i]!.id)) this.#buffer.splice(i, 1);
    }
  }

  /** Hands tasks back even while closing (close() uses it for unstarted prefetched tasks). */
  async #releaseNow(tasks: readonly Task[]): Promise<string[]> {
    const pairs = tasks.flatMap((task) => [task.id, task.lease ?? '']);
    const released = await this.#run(() =>
      this.#client.rqReleaseLeases(
        this.keys.leases,
        this.keys.pending,
        this.keys.stats,
        this.keys.signal,
        this.keys.taskPrefix,
        ...pairs,
      ),
    );
    for (const task of tasks) this.#forget(task.id, task.lease ?? '');
    return released;
  }

  /** Waits for the doorbell in slices, taking a task after each ring, until the deadline. */
  async #waitForTask(
    deadline: number,
    nextDueMs: number,
    signal?: AbortSignal,
  ): Promise<Task | null> {
    const waiter: Waiter = { connection: null, woken: false };
    const onAbort = () => this.#wake(waiter);
    this.#waiters.add(waiter);
    signal?.addEventListener('abort', onAbort, { once: true });
    let untilDue = nextDueMs;
    try {
      for (;;) {
        if (this.#closed || waiter.woken) return null;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return null;
        // Wake up for a retry that falls due even if no doorbell rings for it.
        const slice = Math.min(
          remaining,
          this.#blockTimeoutMs,
          untilDue >= 0 ? untilDue + 5 : Infinity,
        );
        const rang = await this.#blockOnce(waiter, slice);
        if (this.#closed || waiter.woken) {
          // The ring was meant for someone who is still waiting: put it back.
          if (rang) await this.#client.lpush(this.keys.signal, '1').catch(() => {});
          return null;
        }
        const { task, nextDueMs: next } = await this.#take();
        if (task && (this.#closed || waiter.woken)) {
          await this.#releaseNow([task]).catch(() => {});
          return null;
        }
        if (task) return task;
        untilDue = next;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#waiters.delete(waiter);
    }
  }

  /**
   * One BLPOP on the doorbell of at most `sliceMs`, raced against a watchdog (as session 04's
   * BLMOVE: a blocking command is only as reliable as its TCP connection). Resolves `true` when
   * a ring was taken, `false` on timeout or trouble.
   */
  async #blockOnce(waiter: Waiter, sliceMs: number): Promise<boolean> {
    let connection: BlockingConnection;
    try {
      connection = this.#pool.acquire();
    } catch {
      return false; // the pool closed under us
    }
    waiter.connection = connection;
    const limitMs = sliceMs + this.#watchdogGraceMs;
    try {
      if (connection.clientId === null) {
        const id = await withWatchdog(connection.redis.client('ID'), limitMs);
        if (id === WATCHDOG) return this.#dropSilent(connection, 'CLIENT ID');
        connection.clientId = id;
      }
      if (this.#closed || waiter.woken) {
        this.#pool.release(connection);
        return false;
      }
      const popped = await withWatchdog(
        connection.redis.blpop(this.keys.signal, Math.max(sliceMs, 10) / 1000),
        limitMs,
      );
      if (popped === WATCHDOG) return this.#dropSilent(connection, 'BLPOP');
      this.#pool.release(connection);
      return popped !== null;
    } catch (error) {
      this.#pool.discard(connection);
      if (!this.#closed && !waiter.woken) {
        this.#logger.debug({ err: String(error) }, 'blocking wait interrupted; retrying');
        await sleep(100);
      }
      return false;
    } finally {
      waiter.connection = null;
    }
  }

  #dropSilent(connection: BlockingConnection, command: string): false {
    this.#logger.warn({ command }, 'blocking connection did not answer in time; replaced it');
    this.#pool.discard(connection);
    return false;
  }

  /** Ends one consumer's wait at once (CLIENT UNBLOCK, then cut the connection). */
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

  #checkFinish(
    operation: 'ack' | 'fail',
    task: Task,
    result: TaskResult,
  ): { id: string; token: string } {
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
    return { id, token: typeof task.lease === 'string' ? task.lease : '' };
  }

  /** Turns a fenced script's refusal into the matching error; forgets the lease either way. */
  #settle(operation: 'ack' | 'fail', id: string, token: string, reply: FencedReply): void {
    const outcome = Number(reply[0]);
    this.#forget(id, token);
    if (outcome > 0) return;
    if (outcome === -2) {
      this.#logger.warn({ taskId: id, operation }, 'result refused: the lease was taken over');
      this.emit('leaseLost', { taskId: id, operation });
      throw new LeaseLostError(operation, id, `the lease \`${token}\` is no longer the task's`);
    }
    throw new TaskNotProcessingError(
      operation,
      id,
      outcome === -1
        ? 'it was already acked or failed'
        : 'this queue has not delivered it (unknown id, or not dequeued)',
    );
  }

  #forget(id: string, token: string): void {
    if (this.#held.get(id)?.token === token) this.#held.delete(id);
  }

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

function storedTask(hash: Record<string, string>): Task {
  const stored = JSON.parse(hash.data!) as Omit<Task, 'attempts'>;
  const task: Task = { ...stored, attempts: Number(hash.attempts ?? 0) };
  if (hash.startedAt) task.startedAt = Number(hash.startedAt);
  return task;
}

function deadLetterEntry(
  id: string,
  deadAt: number,
  hash: Record<string, string>,
): DeadLetterEntry {
  const error = hash.lastError
    ? (JSON.parse(hash.lastError) as SerializedError)
    : { name: 'Error', code: 'ERR_UNEXPECTED', message: `task \`${id}\` failed` };
  const time = (field: string) => (hash[field] ? Number(hash[field]) : null);
  return {
    task: storedTask(hash),
    error,
    reason: (hash.deadReason ?? 'attempts-exhausted') as DeadReason,
    attempts: Number(hash.attempts ?? 0),
    firstFailedAt: time('firstFailedAt'),
    lastFailedAt: time('lastFailedAt'),
    deadAt,
    lastWorker: hash.lastWorker || null,
  };
}

/** The error of a failed result without its stack (kept small in Redis). */
function flatError(error: SerializedError | undefined): SerializedError {
  if (!error || typeof error.code !== 'string') {
    return { name: 'Error', code: 'ERR_UNEXPECTED', message: 'the task failed without an error' };
  }
  return { name: error.name, code: error.code, message: error.message };
}

function checkCount(name: string, value: unknown, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(
      `Expected \`${name}\` to be an integer from ${min} to ${max}, got ${describeValue(value)}`,
    );
  }
  return value;
}
