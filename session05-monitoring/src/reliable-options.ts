import { randomUUID } from 'node:crypto';
import { checkDuration, checkFunction, checkInteger } from '@workbook/session01';
import type { QueueConnectionOptions } from '@workbook/session04/core';
import {
  type BackoffOptions,
  computeBackoff,
  type ResolvedBackoff,
  resolveBackoff,
} from './backoff.ts';
import { checkWorkerId } from './keys.ts';
import { checkCodes, NON_RETRYABLE_CODES } from './retry-policy.ts';

/** Options of {@link ReliableTaskQueue}: the common queue options, plus leases and retries. */
export interface ReliableTaskQueueOptions extends QueueConnectionOptions {
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
  /**
   * The delay of a retry, from the attempt that failed, the backoff options and the random
   * source (exercise 05.2's demo passes the student's version). @default computeBackoff
   */
  computeDelay?: BackoffFunction;
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
}

const DEFAULTS = {
  leaseMs: 2_000,
  maxAttempts: 5,
  deadWorkerRetentionMs: 300_000,
  recoveryBatch: 1_000,
  prefetch: 1,
} as const;

/** How a retry's delay is computed: `computeBackoff`'s shape, with every option resolved. */
export type BackoffFunction = (
  attempt: number,
  backoff: ResolvedBackoff,
  random: () => number,
) => number;

/** {@link ReliableTaskQueueOptions} checked, with their defaults filled in. */
export interface ReliableSettings {
  owner: string;
  leaseMs: number;
  maxAttempts: number;
  backoff: ResolvedBackoff;
  nonRetryableCodes: ReadonlySet<string>;
  random: () => number;
  computeDelay: BackoffFunction;
  deadWorkerRetentionMs: number;
  prefetch: number;
  recoveryBatch: number;
}

/**
 * Checks the reliable queue's own options (the common ones are checked by the core's
 * `QueueConnection`) and fills in the defaults.
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION`; `ERR_INVALID_WORKER_ID` for a bad owner.
 */
export function reliableSettings(options: ReliableTaskQueueOptions): ReliableSettings {
  return {
    owner: checkWorkerId(options.owner ?? `consumer-${randomUUID().slice(0, 8)}`),
    leaseMs: checkDuration('leaseMs', options.leaseMs ?? DEFAULTS.leaseMs),
    maxAttempts: checkInteger('maxAttempts', options.maxAttempts ?? DEFAULTS.maxAttempts, {
      min: 1,
    }),
    backoff: resolveBackoff(options.backoff),
    nonRetryableCodes: checkCodes(options.nonRetryableCodes ?? NON_RETRYABLE_CODES),
    random: checkFunction('random', options.random ?? Math.random, 'returning [0, 1)'),
    computeDelay: checkFunction(
      'computeDelay',
      options.computeDelay ?? computeBackoff,
      'like computeBackoff(attempt, backoff, random)',
    ),
    deadWorkerRetentionMs: checkDuration(
      'deadWorkerRetentionMs',
      options.deadWorkerRetentionMs ?? DEFAULTS.deadWorkerRetentionMs,
    ),
    recoveryBatch: checkInteger('recoveryBatch', options.recoveryBatch ?? DEFAULTS.recoveryBatch, {
      min: 1,
    }),
    prefetch: checkInteger('prefetch', options.prefetch ?? DEFAULTS.prefetch, {
      min: 1,
      max: 1_000,
    }),
  };
}
