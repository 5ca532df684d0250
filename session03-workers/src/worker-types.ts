/**
 * The types around workers: what a processor gets, what a worker reports (stats, health, the
 * stop report), its events and its options. The classes are in base-worker.ts and its subclasses.
 */
import type { Logger } from './logger.ts';
import type { OutputInfo, Task, TaskResult } from './task.ts';
import type { TaskQueue } from './task-queue.ts';

/** What a processor gets besides the task. */
export interface TaskContext {
  /** The worker running the task. */
  workerId: string;
  /** A logger whose every line carries `workerId` and `taskId`. */
  logger: Logger;
  /**
   * Aborted when the worker's grace period runs out during `stop()`: the task has been
   * reported as abandoned and its result will not be acked. Processors that can stop early
   * should; the rest finish in the background and their result is dropped.
   */
  signal: AbortSignal;
}

/**
 * Runs one task: reads `task.input`, applies `task.pipeline`, writes `task.output`.
 * Throws (rejects) with a coded error when the task cannot be done; the worker fails that task
 * and goes on with the next.
 */
export type TaskProcessor = (task: Task, context: TaskContext) => Promise<OutputInfo>;

/** Where a worker is in its life (see the state machine in the README). */
export type WorkerLifecycle = 'created' | 'running' | 'stopping' | 'stopped';

/**
 * What a worker is doing: `created` (not started), `idle` (running, no task), `busy` (running,
 * at least one task), `stopping` (finishing in-flight tasks), `stopped`.
 */
export type WorkerStatus = 'created' | 'idle' | 'busy' | 'stopping' | 'stopped';

/** The most recent error a worker saw (a failed task or a queue error). */
export interface LastError {
  code: string;
  message: string;
  /** When it happened (epoch ms). */
  at: number;
}

/** Counters and durations of a worker. */
export interface WorkerStats {
  workerId: string;
  status: WorkerStatus;
  /** Time since `start()` (0 before it; frozen once stopped). */
  uptimeMs: number;
  /** Tasks finished, either way (`completed + failed`). */
  processed: number;
  /** Tasks that wrote their output. */
  completed: number;
  /** Tasks whose processor threw. */
  failed: number;
  /** Tasks running right now. */
  inFlight: number;
  /** Mean duration of every finished task, or `null` before the first. */
  avgDurationMs: number | null;
  /** 95th percentile over the last `durationWindow` tasks, or `null` before the first. */
  p95DurationMs: number | null;
  lastError: LastError | null;
}

/** A health check: is this worker able to take work? */
export interface WorkerHealth {
  workerId: string;
  status: WorkerStatus;
  /**
   * `true` while the worker is running and its last talk with the queue succeeded. Failed
   * tasks do not make a worker unhealthy (bad input is not the worker's fault); a queue it
   * cannot reach, or a fetch loop that crashed, does.
   */
  healthy: boolean;
  /** Why it is not healthy, when it is not. */
  reason?: string;
  uptimeMs: number;
  inFlight: number;
  lastError: LastError | null;
  /** When this report was made (epoch ms). */
  checkedAt: number;
}

/** A task that was still running when the grace period ran out: not acked, not failed. */
export interface AbandonedTask {
  task: Task;
  /** How long it had been running when the worker gave up on it. */
  runningMs: number;
}

/** What `stop()` resolves with (and the `stopped` event carries). */
export interface StopReport {
  workerId: string;
  /** `true` when every in-flight task finished within the grace period (`abandoned` is empty). */
  drained: boolean;
  /**
   * Tasks cut off by the grace period. They stay unacked in the queue; from session 05 on they
   * are handed back to the queue for another worker.
   */
  abandoned: AbandonedTask[];
}

/** A finished task, as the `completed` and `failed` events report it. */
export interface TaskEvent {
  task: Task;
  result: TaskResult;
}

/** The events of a worker, with their arguments. */
export interface WorkerEvents {
  started: [info: { workerId: string }];
  completed: [event: TaskEvent];
  failed: [event: TaskEvent];
  stopping: [info: { workerId: string; inFlight: number }];
  stopped: [report: StopReport];
}

/** Options common to every worker. */
export interface BaseWorkerOptions {
  /** Where tasks come from and results go. */
  queue: TaskQueue;
  /** Name used in logs, results and health reports. @default `worker-<8 hex>` */
  id?: string;
  /** Structured logger; every line gets `workerId`, every task line `taskId`. @default silent */
  logger?: Logger;
  /**
   * How long `stop()` waits for in-flight tasks before it gives up on them, in whole ms
   * (0: do not wait).
   * @default 10000
   */
  gracePeriodMs?: number;
  /**
   * How long one blocking `dequeue` waits before the loop checks its state and asks again.
   * `stop()` does not wait for it on queues that honour the abort signal (the in-memory one).
   * Whole ms, at least 1.
   * @default 1000
   */
  dequeueTimeoutMs?: number;
  /** How many recent durations the p95 covers. @default 100 */
  durationWindow?: number;
  /**
   * Pause after a queue error before fetching again (so a dead queue is not hammered), in whole
   * ms, at least 1.
   * @default 1000
   */
  queueErrorBackoffMs?: number;
}
