import { checkDuration, describeValue, InvalidOptionError } from '@workbook/session01';
import { QueueClosedError, TaskNotProcessingError } from './errors.ts';
import { createTask, type NewTask, type Task, type TaskResult } from './task.ts';
import type { DequeueOptions, QueueStats, TaskQueue } from './task-queue.ts';

/** A consumer blocked in `dequeue`, waiting for a task. */
interface Waiter {
  /** Hands the waiter a task (or `null`) and removes its timer and abort listener. */
  settle(task: Task | null): void;
}

/**
 * A FIFO task queue in one process's memory, safe under any number of concurrent consumers.
 *
 * Blocking `dequeue` does not poll: a consumer that finds the queue empty adds itself to a
 * waiter list and sleeps on a promise. `enqueue` hands the new task straight to the oldest
 * waiter, in the same synchronous step that takes the waiter off the list, so no other
 * consumer can see it in between: every task goes to exactly one consumer, and waiters are
 * served first come, first served.
 *
 * Tasks are copied in and out (structured clone), as a queue in Redis would: a producer that
 * changes its object after `enqueue` does not change the queued task.
 *
 * Nothing here survives the process: for that, session 04 puts the same interface on Redis.
 *
 * @example
 * const queue = new InMemoryTaskQueue();
 * await queue.enqueue({ pipeline, input: 'in/cat.png', output: 'out/cat.webp' });
 * const task = await queue.dequeue({ timeoutMs: 1000 }); // null if none came within 1 s
 */
export class InMemoryTaskQueue implements TaskQueue {
  readonly #pending: Task[] = [];
  readonly #processing = new Map<string, Task>();
  readonly #results = new Map<string, TaskResult>();
  readonly #waiters: Waiter[] = [];
  #completed = 0;
  #failed = 0;
  #closed = false;

  /** Number of consumers blocked in `dequeue` right now (for tests and live views). */
  get waitingConsumers(): number {
    return this.#waiters.length;
  }

  /** `true` once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Adds a task at the tail, or hands it at once to the longest-waiting consumer.
   * @throws {QueueClosedError} (rejects) after `close()`.
   * @throws {InvalidOptionError} (rejects) when the task is malformed.
   */
  async enqueue(newTask: NewTask): Promise<Task> {
    this.#assertOpen('enqueue');
    const task = createTask(structuredClone(newTask));
    const waiter = this.#waiters.shift();
    if (waiter) waiter.settle(this.#deliver(task));
    else this.#pending.push(task);
    return structuredClone(task);
  }

  /**
   * Takes the oldest task, waiting up to `timeoutMs` for one. An aborted `signal` ends the wait
   * with `null` (workers use it to stop promptly).
   * @throws {QueueClosedError} (rejects) when called after `close()`.
   * @throws {InvalidOptionError} (rejects) when `timeoutMs` is not a whole number of ms >= 0
   *   or `Infinity`.
   */
  async dequeue(options: DequeueOptions = {}): Promise<Task | null> {
    const timeoutMs = checkDuration('timeoutMs', options.timeoutMs ?? 0, {
      min: 0,
      allowInfinity: true,
    });
    const { signal } = options;
    this.#assertOpen('dequeue');
    const next = this.#pending.shift();
    if (next) return this.#deliver(next);
    if (timeoutMs === 0 || signal?.aborted) return null;
    return new Promise<Task | null>((resolve) => this.#wait(resolve, timeoutMs, signal));
  }

  /**
   * Marks a delivered task completed and stores its result.
   * @throws {TaskNotProcessingError} (rejects) when the task is unknown or already finished.
   */
  async ack(task: Task, result: TaskResult): Promise<void> {
    this.#finish('ack', task, result);
    this.#completed++;
  }

  /**
   * Marks a delivered task failed and stores its result.
   * @throws {TaskNotProcessingError} (rejects) when the task is unknown or already finished.
   */
  async fail(task: Task, result: TaskResult): Promise<void> {
    this.#finish('fail', task, result);
    this.#failed++;
  }

  /** The stored result of a task, or `null`. */
  async result(taskId: string): Promise<TaskResult | null> {
    this.#assertOpen('read a result');
    const stored = this.#results.get(taskId);
    return stored ? structuredClone(stored) : null;
  }

  /** Number of pending tasks. */
  async size(): Promise<number> {
    this.#assertOpen('read the size');
    return this.#pending.length;
  }

  /** Depths and counters. */
  async stats(): Promise<QueueStats> {
    this.#assertOpen('read stats');
    return {
      pending: this.#pending.length,
      processing: this.#processing.size,
      completed: this.#completed,
      failed: this.#failed,
    };
  }

  /** Closes the queue: every blocked `dequeue` resolves `null`; later calls reject. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter.settle(null);
  }

  #wait(resolve: (task: Task | null) => void, timeoutMs: number, signal?: AbortSignal): void {
    const waiter: Waiter = {
      settle: (task) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(task);
      },
    };
    // Timeout and abort both take the waiter off the list first, so a later enqueue can never
    // hand a task to a consumer that has already given up (that task would be lost).
    const giveUp = () => {
      const index = this.#waiters.indexOf(waiter);
      if (index !== -1) this.#waiters.splice(index, 1);
      waiter.settle(null);
    };
    const onAbort = () => giveUp();
    // Infinity waits for a task, close() or the signal; setTimeout would fire at once instead.
    const timer = Number.isFinite(timeoutMs) ? setTimeout(giveUp, timeoutMs) : undefined;
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#waiters.push(waiter);
  }

  /** Moves a task to processing and returns the copy the consumer gets. */
  #deliver(task: Task): Task {
    task.attempts += 1;
    task.startedAt = Date.now();
    this.#processing.set(task.id, task);
    return structuredClone(task);
  }

  #finish(operation: 'ack' | 'fail', task: Task, result: TaskResult): void {
    this.#assertOpen(operation === 'ack' ? 'ack a task' : 'fail a task');
    const id = (task as Partial<Task> | null)?.id;
    if (typeof id !== 'string' || !this.#processing.has(id)) {
      const detail =
        typeof id === 'string' && this.#results.has(id)
          ? 'it was already acked or failed'
          : 'this queue has not delivered it (unknown id)';
      throw new TaskNotProcessingError(operation, String(id), detail);
    }
    if (result?.taskId !== id) {
      throw new InvalidOptionError(
        `Expected the result of task \`${id}\` to have \`taskId\` \`${id}\`, got ` +
          describeValue(result?.taskId),
      );
    }
    this.#processing.delete(id);
    this.#results.set(id, structuredClone(result));
  }

  #assertOpen(operation: string): void {
    if (this.#closed) throw new QueueClosedError(operation);
  }
}
