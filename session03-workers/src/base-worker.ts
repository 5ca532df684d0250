import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  checkDuration,
  describeValue,
  InvalidOptionError,
  serializeError,
} from '@workbook/session01';
import { DurationStats } from './duration-stats.ts';
import { WorkerErrorCodes, WorkerStateError } from './errors.ts';
import { type Logger, silentLogger } from './logger.ts';
import { completedResult, failedResult, type OutputInfo, type Task } from './task.ts';
import type { TaskQueue } from './task-queue.ts';
import type {
  AbandonedTask,
  BaseWorkerOptions,
  LastError,
  StopReport,
  TaskContext,
  WorkerEvents,
  WorkerHealth,
  WorkerLifecycle,
  WorkerStats,
  WorkerStatus,
} from './worker-types.ts';

interface Running {
  task: Task;
  startedAt: number;
  promise: Promise<void>;
  abandoned: boolean;
}

/**
 * The skeleton every worker shares: lifecycle, the fetch → process → ack cycle of one task,
 * events, statistics, health and graceful stop. Subclasses decide only how they fetch
 * ({@link BaseWorker.fetchLoop}: one task at a time, N at a time, ...) and, if they want, how a
 * task is processed ({@link BaseWorker.processTask}: in this thread, in a worker thread, ...).
 *
 * Lifecycle: `created → start() → running (idle ⇄ busy) → stop() → stopping → stopped`.
 * A worker is started once; create a new one to start again.
 */
export abstract class BaseWorker extends EventEmitter<WorkerEvents> {
  readonly id: string;
  protected readonly queue: TaskQueue;
  protected readonly logger: Logger;
  readonly gracePeriodMs: number;
  readonly dequeueTimeoutMs: number;
  readonly #queueErrorBackoffMs: number;
  readonly #durations: DurationStats;
  readonly #running = new Map<string, Running>();
  /** Stops the fetch loop: aborts a blocked dequeue and the back-off pause. */
  readonly #fetchAbort = new AbortController();
  /** Tells processors their grace period is over. */
  readonly #graceAbort = new AbortController();
  #changeWaiters: Array<() => void> = [];
  #lifecycle: WorkerLifecycle = 'created';
  #startPromise: Promise<void> | null = null;
  #stopPromise: Promise<StopReport> | null = null;
  #loop: Promise<void> = Promise.resolve();
  #startedAt = 0;
  #stoppedAt = 0;
  #completed = 0;
  #failed = 0;
  #lastError: LastError | null = null;
  #unhealthyReason: string | null = null;

  constructor(options: BaseWorkerOptions) {
    super();
    if (!options || typeof options.queue?.dequeue !== 'function') {
      throw new InvalidOptionError(
        `Expected \`queue\` to be a TaskQueue, got ${describeValue(options?.queue)}`,
      );
    }
    this.queue = options.queue;
    this.id = options.id ?? `worker-${randomUUID().slice(0, 8)}`;
    // 0 ms of grace is a choice (stop without waiting); 0 ms of dequeue timeout or back-off
    // would turn the fetch loop into a busy loop, so those start at 1.
    this.gracePeriodMs = checkDuration('gracePeriodMs', options.gracePeriodMs ?? 10_000, {
      min: 0,
    });
    this.dequeueTimeoutMs = checkDuration('dequeueTimeoutMs', options.dequeueTimeoutMs ?? 1_000);
    this.#queueErrorBackoffMs = checkDuration(
      'queueErrorBackoffMs',
      options.queueErrorBackoffMs ?? 1_000,
    );
    this.#durations = new DurationStats(options.durationWindow ?? 100);
    this.logger = (options.logger ?? silentLogger).child({ workerId: this.id });
  }

  /** Where the worker is in its life. */
  get lifecycle(): WorkerLifecycle {
    return this.#lifecycle;
  }

  /** What the worker is doing now. */
  get status(): WorkerStatus {
    if (this.#lifecycle !== 'running') return this.#lifecycle;
    return this.#running.size > 0 ? 'busy' : 'idle';
  }

  /**
   * Starts fetching and processing tasks. Resolves once the worker is running.
   * @throws {WorkerStateError} (rejects) when the worker was already started or stopped.
   */
  start(): Promise<void> {
    if (this.#lifecycle !== 'created' || this.#startPromise) {
      return Promise.reject(
        new WorkerStateError(
          `Cannot start worker \`${this.id}\`: it is ${this.#lifecycle}, and a worker starts ` +
            'only once. Create a new worker to start again.',
        ),
      );
    }
    this.#startPromise = this.#start();
    return this.#startPromise;
  }

  async #start(): Promise<void> {
    try {
      await this.onStart();
    } catch (error) {
      this.#lifecycle = 'stopped';
      throw error;
    }
    this.#lifecycle = 'running';
    this.#startedAt = Date.now();
    this.logger.info({ status: this.status }, 'worker started');
    this.emit('started', { workerId: this.id });
    this.#loop = this.fetchLoop().catch((error: unknown) => {
      // A loop that throws is a bug in the worker, not bad input: report it loudly and mark
      // the worker unhealthy so a supervisor (session 05) replaces it.
      this.#unhealthyReason = `fetch loop crashed: ${errorMessage(error)}`;
      this.#recordError(error);
      this.logger.error({ err: serializeError(error) }, 'fetch loop crashed');
    });
  }

  /**
   * Stops gracefully: stops fetching, waits up to `gracePeriodMs` for in-flight tasks, then
   * resolves with a report. Tasks still running after the grace period are not acked; they are
   * listed in `abandoned`. Calling it again returns the same promise.
   */
  stop(): Promise<StopReport> {
    this.#stopPromise ??= this.#stop();
    return this.#stopPromise;
  }

  async #stop(): Promise<StopReport> {
    if (this.#startPromise) await this.#startPromise.catch(() => {});
    if (this.#lifecycle === 'created') {
      this.#lifecycle = 'stopped';
      const report: StopReport = { workerId: this.id, drained: true, abandoned: [] };
      this.emit('stopped', report);
      return report;
    }
    this.#lifecycle = 'stopping';
    this.logger.info({ inFlight: this.#running.size }, 'worker stopping');
    this.emit('stopping', { workerId: this.id, inFlight: this.#running.size });
    this.#fetchAbort.abort();
    this.#notifyChange();

    // The fetch loop may still hand over one last task (from a queue that ignores the abort
    // signal), so wait for the loop first, then for everything it started, all within the grace.
    await settlesWithin(
      this.#loop.then(() => Promise.all([...this.#running.values()].map((r) => r.promise))),
      this.gracePeriodMs,
    );
    const abandoned = this.#abandonRunning();
    const drained = abandoned.length === 0;
    await this.onStopped();
    this.#lifecycle = 'stopped';
    this.#stoppedAt = Date.now();
    const report: StopReport = { workerId: this.id, drained, abandoned };
    this.logger.info(
      {
        drained,
        abandoned: abandoned.map((a) => a.task.id),
        processed: this.#completed + this.#failed,
      },
      'worker stopped',
    );
    this.emit('stopped', report);
    return report;
  }

  #abandonRunning(): AbandonedTask[] {
    if (this.#running.size === 0) return [];
    this.#graceAbort.abort();
    const now = Date.now();
    const abandoned: AbandonedTask[] = [];
    for (const running of this.#running.values()) {
      running.abandoned = true;
      abandoned.push({ task: running.task, runningMs: now - running.startedAt });
      this.logger.warn(
        { taskId: running.task.id, runningMs: now - running.startedAt },
        'grace period over: task abandoned, not acked',
      );
    }
    return abandoned;
  }

  /** Counters and durations. */
  stats(): WorkerStats {
    return {
      workerId: this.id,
      status: this.status,
      uptimeMs: this.#uptime(),
      processed: this.#completed + this.#failed,
      completed: this.#completed,
      failed: this.#failed,
      inFlight: this.#running.size,
      avgDurationMs: this.#durations.average,
      p95DurationMs: this.#durations.p95,
      lastError: this.#lastError ? { ...this.#lastError } : null,
    };
  }

  /** A health check (what a liveness probe or a supervisor asks). */
  health(): WorkerHealth {
    const running = this.#lifecycle === 'running';
    const reason = running ? this.#unhealthyReason : `worker is ${this.#lifecycle}`;
    return {
      workerId: this.id,
      status: this.status,
      healthy: reason === null,
      ...(reason === null ? {} : { reason }),
      uptimeMs: this.#uptime(),
      inFlight: this.#running.size,
      lastError: this.#lastError ? { ...this.#lastError } : null,
      checkedAt: Date.now(),
    };
  }

  // ---- hooks for subclasses ------------------------------------------------------------

  /**
   * The fetch strategy: runs from `start()` until the worker stops. Use `isRunning`,
   * `fetchTask()`, `runTask()`, `inFlightCount` and `waitForChange()`.
   */
  protected abstract fetchLoop(): Promise<void>;

  /** Does the work of one task. Subclasses override it to run the task elsewhere. */
  protected abstract processTask(task: Task, context: TaskContext): Promise<OutputInfo>;

  /** Called by `start()` before the loop begins (e.g. to start threads). */
  protected async onStart(): Promise<void> {}

  /** Called by `stop()` after the grace period, before `stopped` (e.g. to end threads). */
  protected async onStopped(): Promise<void> {}

  // ---- helpers for subclasses ----------------------------------------------------------

  /** `true` while the worker should keep fetching. */
  protected get isRunning(): boolean {
    return this.#lifecycle === 'running' && !this.#fetchAbort.signal.aborted;
  }

  /** Tasks running right now. */
  protected get inFlightCount(): number {
    return this.#running.size;
  }

  /**
   * Blocking dequeue with the worker's timeout. Resolves `null` on timeout, on stop, and after
   * a queue error (which it logs, records and backs off from). When the queue is closed, the
   * worker stops itself.
   */
  protected async fetchTask(): Promise<Task | null> {
    try {
      const task = await this.queue.dequeue({
        timeoutMs: this.dequeueTimeoutMs,
        signal: this.#fetchAbort.signal,
      });
      this.#unhealthyReason = null;
      if (task && this.#lifecycle === 'stopped') {
        // Only from a backend that ignores the abort signal, when its dequeue outlived the
        // grace period. Running the task now would break "stopped"; acking it is not ours to do.
        this.logger.warn(
          { taskId: task.id },
          'task delivered after the worker stopped: not run, not acked (left for recovery)',
        );
        return null;
      }
      return task;
    } catch (error) {
      if (codeOf(error) === WorkerErrorCodes.QUEUE_CLOSED) {
        this.logger.info({}, 'queue closed: worker stops');
        this.#fetchAbort.abort(); // ends the loop now; stop() below finishes in-flight tasks
        void this.stop();
        return null;
      }
      this.#unhealthyReason = `queue error: ${errorMessage(error)}`;
      this.#recordError(error);
      this.logger.error({ err: serializeError(error) }, 'dequeue failed; backing off');
      await abortableDelay(this.#queueErrorBackoffMs, this.#fetchAbort.signal);
      return null;
    }
  }

  /**
   * Runs one task to the end: process, ack or fail, statistics, events, logs. Never rejects.
   * The task counts as in flight from the moment this is called.
   */
  protected runTask(task: Task): Promise<void> {
    const running: Running = {
      task,
      startedAt: Date.now(),
      promise: Promise.resolve(),
      abandoned: false,
    };
    this.#running.set(task.id, running);
    running.promise = this.#runTask(running);
    return running.promise;
  }

  /** Resolves the next time a task finishes or the worker starts stopping. */
  protected waitForChange(): Promise<void> {
    if (!this.isRunning) return Promise.resolve();
    return new Promise((resolve) => this.#changeWaiters.push(resolve));
  }

  // ---- internals -----------------------------------------------------------------------

  async #runTask(running: Running): Promise<void> {
    const { task } = running;
    const logger = this.logger.child({ taskId: task.id });
    logger.info({ input: task.input, output: task.output, attempt: task.attempts }, 'task started');
    const started = performance.now();
    let output: OutputInfo | undefined;
    let error: unknown;
    try {
      output = await this.processTask(task, {
        workerId: this.id,
        logger,
        signal: this.#graceAbort.signal,
      });
    } catch (caught) {
      error = caught ?? new Error('processor threw a nullish value');
    }
    const durationMs = performance.now() - started;
    this.#running.delete(task.id);

    if (running.abandoned) {
      logger.warn({ durationMs }, 'abandoned task finished after the grace period; not acked');
    } else {
      await this.#report(task, output, error, durationMs, logger);
    }
    this.#notifyChange();
  }

  async #report(
    task: Task,
    output: OutputInfo | undefined,
    error: unknown,
    durationMs: number,
    logger: Logger,
  ): Promise<void> {
    const meta = { workerId: this.id, durationMs };
    const ok = error === undefined && output !== undefined;
    const result = ok ? completedResult(task, output, meta) : failedResult(task, error, meta);
    try {
      if (ok) await this.queue.ack(task, result);
      else await this.queue.fail(task, result);
    } catch (queueError) {
      this.#recordError(queueError);
      logger.error({ err: serializeError(queueError) }, 'could not store the task result');
    }
    this.#durations.record(durationMs);
    if (ok) {
      this.#completed++;
      logger.info({ durationMs: Math.round(durationMs), bytes: output.bytes }, 'task completed');
      this.emit('completed', { task, result });
    } else {
      this.#failed++;
      this.#recordError(error);
      logger.warn({ durationMs: Math.round(durationMs), err: result.error }, 'task failed');
      this.emit('failed', { task, result });
    }
  }

  #notifyChange(): void {
    for (const wake of this.#changeWaiters.splice(0)) wake();
  }

  #recordError(error: unknown): void {
    const { code, message } = serializeError(error);
    this.#lastError = { code, message, at: Date.now() };
  }

  #uptime(): number {
    if (this.#startedAt === 0) return 0;
    return (this.#stoppedAt || Date.now()) - this.#startedAt;
  }
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Resolves `true` if `promise` settles within `ms`, `false` otherwise (and clears its timer). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
