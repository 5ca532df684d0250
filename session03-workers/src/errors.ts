/**
 * Session 03's error codes. The base class and the serialiser come from session 01 (through
 * session 02): a worker matches failures by `code`, because the class does not survive the trip
 * across a worker thread (structured clone), a process or Redis.
 */
import { WorkbookError } from '@workbook/session01';
import type { Session02ErrorCode } from '@workbook/session02';

/** Codes added by session 03. */
export const WorkerErrorCodes = {
  /** `enqueue`, `dequeue`, `ack`, ... was called on a queue after `close()`. */
  QUEUE_CLOSED: 'ERR_QUEUE_CLOSED',
  /** `ack` or `fail` named a task the queue did not deliver (unknown, or already finished). */
  TASK_NOT_PROCESSING: 'ERR_TASK_NOT_PROCESSING',
  /** A worker method was called in a state that does not allow it (e.g. `start()` twice). */
  WORKER_STATE: 'ERR_WORKER_STATE',
  /** The worker thread running a task died (uncaught error, `process.exit`, out of memory). */
  WORKER_THREAD_CRASHED: 'ERR_WORKER_THREAD_CRASHED',
  /** The thread pool was closed while a task was waiting for, or running in, a thread. */
  POOL_CLOSED: 'ERR_POOL_CLOSED',
} as const;

/** The codes session 03 adds. */
export type WorkerErrorCode = (typeof WorkerErrorCodes)[keyof typeof WorkerErrorCodes];

/** Every code the library of sessions 01-03 can throw; session 04 adds its own to this one. */
export type Session03ErrorCode = Session02ErrorCode | WorkerErrorCode;

/**
 * The queue was closed.
 * @example
 * await queue.close();
 * await queue.enqueue(task); // rejects: ERR_QUEUE_CLOSED
 */
export class QueueClosedError extends WorkbookError<typeof WorkerErrorCodes.QUEUE_CLOSED> {
  override name = 'QueueClosedError';
  constructor(operation: string) {
    super(
      WorkerErrorCodes.QUEUE_CLOSED,
      `Cannot ${operation}: the queue is closed. Create a new queue, or stop calling it after ` +
        '`close()` (workers stop by themselves when their queue closes).',
    );
  }
}

/** `ack` / `fail` of a task that is not being processed. */
export class TaskNotProcessingError extends WorkbookError<
  typeof WorkerErrorCodes.TASK_NOT_PROCESSING
> {
  override name = 'TaskNotProcessingError';
  constructor(operation: 'ack' | 'fail', taskId: string, detail: string) {
    super(
      WorkerErrorCodes.TASK_NOT_PROCESSING,
      `Cannot ${operation} task \`${taskId}\`: ${detail}. Only a task returned by \`dequeue()\` ` +
        'and not yet acked or failed can be finished, and only once.',
    );
  }
}

/** A worker lifecycle method called in the wrong state. */
export class WorkerStateError extends WorkbookError<typeof WorkerErrorCodes.WORKER_STATE> {
  override name = 'WorkerStateError';
  constructor(message: string) {
    super(WorkerErrorCodes.WORKER_STATE, message);
  }
}

/** A worker thread died while it ran a task. */
export class WorkerThreadCrashedError extends WorkbookError<
  typeof WorkerErrorCodes.WORKER_THREAD_CRASHED
> {
  override name = 'WorkerThreadCrashedError';
  constructor(message: string, options?: ErrorOptions) {
    super(WorkerErrorCodes.WORKER_THREAD_CRASHED, message, options);
  }
}

/** The thread pool was closed before the task could finish. */
export class PoolClosedError extends WorkbookError<typeof WorkerErrorCodes.POOL_CLOSED> {
  override name = 'PoolClosedError';
  constructor(taskId: string) {
    super(
      WorkerErrorCodes.POOL_CLOSED,
      `Task \`${taskId}\` did not finish: the thread pool was closed. Stop the worker (which ` +
        'waits for running tasks) before closing its pool.',
    );
  }
}
