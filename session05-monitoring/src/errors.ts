/**
 * Session 05's error codes. The base class comes from session 01: like every error of the
 * course, these cross processes and Redis as `{name, code, message}` and are matched by `code`.
 */
import { WorkbookError } from '@workbook/session01';
import type { Session04ErrorCode } from '@workbook/session04';

/** Codes added by session 05 (the README's errors table lists each with its fix). */
export const ReliabilityErrorCodes = {
  /**
   * `ack`, `fail` or a lease extension presented a lease token that is no longer the task's:
   * the lease expired and the task was handed back to the queue (and maybe to another worker).
   */
  LEASE_LOST: 'ERR_LEASE_LOST',
  /**
   * Stored in the DLQ entry of a task whose lease expired on every attempt (its workers died
   * or stalled `maxAttempts` times): it probably kills or hangs whoever runs it.
   */
  LEASE_EXPIRED_TOO_OFTEN: 'ERR_LEASE_EXPIRED_TOO_OFTEN',
  /** A processor said "do not retry this" by throwing {@link UnrecoverableTaskError}. */
  NON_RETRYABLE: 'ERR_NON_RETRYABLE',
  /** `dlq retry <id>` named a task that is not in the dead letter queue. */
  DLQ_ENTRY_NOT_FOUND: 'ERR_DLQ_ENTRY_NOT_FOUND',
  /** A worker id (`--worker-id`, `WORKER_ID`, `owner`) that cannot be part of a Redis key. */
  INVALID_WORKER_ID: 'ERR_INVALID_WORKER_ID',
  /** The worker process's configuration (environment variables or flags) is invalid. */
  INVALID_CONFIG: 'ERR_INVALID_CONFIG',
} as const;

export type ReliabilityErrorCode =
  (typeof ReliabilityErrorCodes)[keyof typeof ReliabilityErrorCodes];

/** Every code the library of sessions 01-05 can throw. */
export type Session05ErrorCode = Session04ErrorCode | ReliabilityErrorCode;

/**
 * A worker tried to finish a task it no longer owns. Its result must be dropped: the task was
 * (or will be) done by the worker that took it over, and this is how the queue keeps a slow
 * worker from overwriting that worker's result.
 *
 * @example
 * await queue.ack(task, result); // rejects with ERR_LEASE_LOST after a takeover
 */
export class LeaseLostError extends WorkbookError<typeof ReliabilityErrorCodes.LEASE_LOST> {
  override name = 'LeaseLostError';
  constructor(operation: string, taskId: string, detail: string) {
    super(
      ReliabilityErrorCodes.LEASE_LOST,
      `Cannot ${operation} task \`${taskId}\`: ${detail}. Its lease expired (the worker stopped ` +
        'extending it: crashed, stalled or cut off from Redis) and the task went back to the ' +
        'queue. Drop this result; if it happens often, raise `leaseMs` or find what blocks the ' +
        "worker's event loop.",
    );
  }
}

/**
 * Thrown by a processor for a failure that retrying cannot fix (the input is wrong, not the
 * moment). The queue sends the task straight to the dead letter queue.
 *
 * @example
 * if (!spec.steps.length) throw new UnrecoverableTaskError('The pipeline has no steps');
 */
export class UnrecoverableTaskError extends WorkbookError<
  typeof ReliabilityErrorCodes.NON_RETRYABLE
> {
  override name = 'UnrecoverableTaskError';
  constructor(message: string, options?: ErrorOptions) {
    super(ReliabilityErrorCodes.NON_RETRYABLE, message, options);
  }
}

/** `dlq retry` of a task that is not dead-lettered. */
export class DeadLetterNotFoundError extends WorkbookError<
  typeof ReliabilityErrorCodes.DLQ_ENTRY_NOT_FOUND
> {
  override name = 'DeadLetterNotFoundError';
  constructor(queue: string, ids: readonly string[]) {
    super(
      ReliabilityErrorCodes.DLQ_ENTRY_NOT_FOUND,
      `No dead letter entry for ${ids.map((id) => `\`${id}\``).join(', ')} in queue \`${queue}\`: ` +
        'the id is wrong, the task was already retried or purged, or it is another queue ' +
        '(--queue). `imgq dlq list` shows what is there.',
    );
  }
}
