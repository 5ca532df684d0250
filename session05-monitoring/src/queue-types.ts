/**
 * The types of session 05's reliable queue and its parts (lease book, recovery, dead letters,
 * inspector), and the parsing of what Redis stores for them.
 */
import { ImageErrorCodes, type SerializedError } from '@workbook/session01';
import type { Task } from '@workbook/session03';
import { taskFromHash } from '@workbook/session04/core';

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

/** A task delivered by a reliable queue: a session 03 {@link Task} plus its lease token. */
export interface LeasedTask extends Task {
  /**
   * The fencing token of this delivery: `ack` and `fail` must present it, and are refused
   * with `ERR_LEASE_LOST` once the lease was taken over (recovery gave the task to another
   * worker). It travels on the task object through session 03's workers untouched.
   */
  lease: string;
}

/** A task this queue instance delivered and holds the lease of. */
export interface HeldTask {
  task: LeasedTask;
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

/** A dead-letter entry from the task's hash and its DLQ score. */
export function deadLetterEntry(
  id: string,
  deadAt: number,
  hash: Record<string, string>,
): DeadLetterEntry {
  const error = hash.lastError
    ? (JSON.parse(hash.lastError) as SerializedError)
    : { name: 'Error', code: ImageErrorCodes.UNEXPECTED, message: `task \`${id}\` failed` };
  const time = (field: string) => (hash[field] ? Number(hash[field]) : null);
  return {
    task: taskFromHash(hash),
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
export function flatError(error: SerializedError | undefined): SerializedError {
  if (!error || typeof error.code !== 'string') {
    return {
      name: 'Error',
      code: ImageErrorCodes.UNEXPECTED,
      message: 'the task failed without an error',
    };
  }
  return { name: error.name, code: error.code, message: error.message };
}

/** `ZRANGE ... WITHSCORES` as `[member, score]` pairs. */
export function scoredPairs(flat: readonly string[]): Array<[string, number]> {
  const pairs: Array<[string, number]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, Number(flat[i + 1])]);
  return pairs;
}
