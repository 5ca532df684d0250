import { callScript, type QueueConnection, ttlArg } from '@workbook/session04/core';
import type { ReliableKeys } from './keys.ts';
import type { RecoveryReport } from './queue-types.ts';
import { RECOVER } from './scripts.ts';

/** What a recovery pass needs to know besides the queue. */
export interface RecoverySettings {
  /** Deliveries a task gets; a reclaimed task past it goes to the DLQ. */
  maxAttempts: number;
  /** Most tasks one pass reclaims (and retries it promotes). */
  batch: number;
  /** How long a dead worker stays listed in the registry. */
  deadRetentionMs: number;
}

/**
 * One recovery pass (Lua `recover-7.lua`, atomic, safe to run from many workers at once):
 * takes back tasks whose lease expired or whose owner's heartbeat is gone (to the head of
 * pending, or to the DLQ with ERR_LEASE_EXPIRED_TOO_OFTEN after `maxAttempts`), promotes due
 * retries, forgets long-dead workers and rings the doorbell for pending tasks.
 */
export async function recoverOnce(
  redis: QueueConnection<ReliableKeys>,
  settings: RecoverySettings,
): Promise<RecoveryReport> {
  const { keys } = redis;
  const [requeued, deadLettered, promoted, reapedWorkers] = await redis.run(() =>
    callScript(
      redis.client,
      RECOVER,
      {
        leases: keys.leases,
        pending: keys.pending,
        delayed: keys.delayed,
        dlq: keys.dlq,
        signal: keys.signal,
        stats: keys.stats,
        workers: keys.workers,
      },
      {
        taskPrefix: keys.taskPrefix,
        resultPrefix: keys.resultPrefix,
        workerPrefix: keys.workerPrefix,
        maxAttempts: settings.maxAttempts,
        batch: settings.batch,
        resultTtlMs: ttlArg(redis.resultTtlMs),
        deadRetentionMs: settings.deadRetentionMs,
      },
    ),
  );
  if (requeued.length + deadLettered.length + reapedWorkers.length > 0) {
    redis.logger.info(
      { requeued: requeued.length, deadLettered: deadLettered.length, reapedWorkers },
      'recovery took tasks back',
    );
  }
  return { requeued, deadLettered, promoted, reapedWorkers };
}
