import type { NewTask, Task, TaskResult } from './task.ts';

/** Options of {@link TaskQueue.dequeue}. */
export interface DequeueOptions {
  /**
   * How long to wait for a task when the queue is empty, in ms. `0` returns at once;
   * `Infinity` waits until a task comes, the queue closes or `signal` aborts.
   * @default 0
   */
  timeoutMs?: number;
  /**
   * Ends the wait early: a backend that supports it resolves `null` as soon as the signal is
   * aborted (and never delivers a task to that call afterwards). Workers abort it on `stop()` so
   * they stop at once instead of after `timeoutMs`. Optional for backends: one that ignores it
   * simply waits out `timeoutMs`, so callers must still handle a task that arrives after abort.
   * @default undefined
   */
  signal?: AbortSignal;
}

/** Queue depths and counters. */
export interface QueueStats {
  /** Tasks waiting to be delivered. */
  pending: number;
  /** Tasks delivered and not yet acked or failed. */
  processing: number;
  /** Tasks acked with a result. */
  completed: number;
  /** Tasks failed for good. */
  failed: number;
}

/**
 * The contract every queue backend implements (in-memory in session 03, Redis in session 04).
 * One contract suite (`taskQueueContract`) runs the same cases against every backend.
 *
 * Delivery is at-least-once: a task dequeued and never acked or failed is not lost; backends
 * that survive crashes (session 04 and on) hand it out again.
 */
export interface TaskQueue {
  /** Adds a task at the tail; resolves with the stored task (id, attempts and createdAt set). */
  enqueue(task: NewTask): Promise<Task>;
  /**
   * Takes the task at the head and marks it processing, waiting up to `timeoutMs` for one.
   * Resolves `null` on timeout, or at once when the queue is closed. Each task is delivered
   * to exactly one consumer, however many wait concurrently.
   */
  dequeue(options?: DequeueOptions): Promise<Task | null>;
  /** Marks a delivered task completed and stores its result. */
  ack(task: Task, result: TaskResult): Promise<void>;
  /**
   * Marks a delivered task failed and stores the result (status `failed`, with `error`).
   * Session 03 and 04 queues keep it failed; session 05 adds retries and the DLQ on top.
   */
  fail(task: Task, result: TaskResult): Promise<void>;
  /** The stored result of a task, or `null` if it has none (yet). */
  result(taskId: string): Promise<TaskResult | null>;
  /** Number of pending tasks. */
  size(): Promise<number>;
  /** Depths and counters. */
  stats(): Promise<QueueStats>;
  /** Stops the queue: blocked `dequeue` calls resolve `null`, later calls reject. */
  close(): Promise<void>;
}
