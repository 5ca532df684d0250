import { randomBytes, randomUUID } from 'node:crypto';
import type { SerializedError } from '@workbook/session01';
import type { Task, TaskResult } from '@workbook/session03';
import { callScript, type QueueConnection, ttlArg } from '@workbook/session04/core';
import type { ChainableCommander } from 'ioredis';
import type { ReliableKeys } from './keys.ts';
import type { LeasedTask } from './queue-types.ts';
import {
  COMPLETE,
  ENQUEUE,
  EXTEND_LEASES,
  FAIL,
  type FencedReply,
  RELEASE_LEASES,
  TAKE,
} from './scripts.ts';

/**
 * The reliable queue's script calls, each with the keys it touches: one place that wires a
 * script's names to the queue's key layout, so the queue's methods read as what they do.
 */
type Redis = QueueConnection<ReliableKeys>;

/** Due retries one take promotes at most (the recovery step promotes the rest). */
const PROMOTE_PER_TAKE = 100;

/** Queues `enqueue-4.lua` for one task on a pipeline (`enqueueBatch` sends them together). */
export function enqueueCall(redis: Redis, pipeline: ChainableCommander, task: Task, data: string) {
  const { pending, stats, signal } = redis.keys;
  void callScript(
    pipeline,
    ENQUEUE,
    { pending, task: redis.keys.task(task.id), stats, signal },
    { id: task.id, data },
  );
}

/**
 * `take-4.lua`: promotes due retries, then leases up to `count` tasks to `owner`.
 * @returns the leased tasks in delivery order, and (when none) how long until the next retry
 * is due (`-1`: none delayed).
 */
export async function takeLeased(
  redis: Redis,
  owner: string,
  leaseMs: number,
  count: number,
): Promise<{ tasks: LeasedTask[]; nextDueMs: number }> {
  const { keys } = redis;
  const reply = await redis.run(() =>
    callScript(
      redis.client,
      TAKE,
      { pending: keys.pending, leases: keys.leases, delayed: keys.delayed, signal: keys.signal },
      {
        taskPrefix: keys.taskPrefix,
        owner,
        leaseMs,
        tokenSalt: randomBytes(6).toString('hex'),
        promote: PROMOTE_PER_TAKE,
        count,
      },
    ),
  );
  const [taken, startedAt, nextDue] = reply.slice(0, 3).map(Number) as [number, number, number];
  const tasks: LeasedTask[] = [];
  for (let i = 0; i < taken; i++) {
    const [id, data, attempts, lease] = reply.slice(3 + i * 4, 7 + i * 4).map(String) as [
      string,
      string,
      string,
      string,
    ];
    tasks.push({ ...(JSON.parse(data) as Task), id, attempts: Number(attempts), startedAt, lease });
  }
  return { tasks, nextDueMs: taken === 0 ? nextDue : -1 };
}

/** `complete-4.lua`: stores the result, if `token` is still the task's lease. */
export function completeLeased(
  redis: Redis,
  id: string,
  token: string,
  result: TaskResult,
): Promise<FencedReply> {
  const { keys } = redis;
  return redis.run(() =>
    callScript(
      redis.client,
      COMPLETE,
      { leases: keys.leases, task: keys.task(id), result: keys.result(id), stats: keys.stats },
      {
        id,
        token,
        callToken: randomUUID(),
        result: JSON.stringify(result),
        resultTtlMs: ttlArg(redis.resultTtlMs),
        taskTtlMs: ttlArg(redis.taskTtlMs),
      },
    ),
  );
}

/** What `fail-8.lua` needs to decide between a retry and the dead letter queue. */
export interface FailDecision {
  error: SerializedError;
  retryable: boolean;
  maxAttempts: number;
  delayMs: number;
}

/** `fail-8.lua`: a retry after `delayMs`, or the DLQ — if `token` is still the task's lease. */
export function failLeased(
  redis: Redis,
  id: string,
  token: string,
  result: TaskResult,
  decision: FailDecision,
): Promise<FencedReply> {
  const { keys } = redis;
  return redis.run(() =>
    callScript(
      redis.client,
      FAIL,
      {
        leases: keys.leases,
        delayed: keys.delayed,
        pending: keys.pending,
        dlq: keys.dlq,
        task: keys.task(id),
        result: keys.result(id),
        stats: keys.stats,
        signal: keys.signal,
      },
      {
        id,
        token,
        callToken: randomUUID(),
        result: JSON.stringify(result),
        error: JSON.stringify(decision.error),
        retryable: decision.retryable ? '1' : '0',
        maxAttempts: decision.maxAttempts,
        delayMs: decision.delayMs,
        workerId: result.workerId,
        resultTtlMs: ttlArg(redis.resultTtlMs),
      },
    ),
  );
}

/** `extendLeases-1.lua` for `id, token` pairs. @returns the ids whose lease was lost. */
export function extendLeases(redis: Redis, leaseMs: number, pairs: string[]): Promise<string[]> {
  return redis.run(() =>
    callScript(
      redis.client,
      EXTEND_LEASES,
      { leases: redis.keys.leases },
      { taskPrefix: redis.keys.taskPrefix, leaseMs },
      pairs,
    ),
  );
}

/** `releaseLeases-4.lua` for `id, token` pairs. @returns the ids handed back. */
export function releaseLeases(redis: Redis, pairs: string[]): Promise<string[]> {
  const { keys } = redis;
  return redis.run(() =>
    callScript(
      redis.client,
      RELEASE_LEASES,
      { leases: keys.leases, pending: keys.pending, stats: keys.stats, signal: keys.signal },
      { taskPrefix: keys.taskPrefix },
      pairs,
    ),
  );
}
