import type { QueueKeys } from '@workbook/session04';
import type { Redis } from 'ioredis';

/**
 * Moves the oldest task id from `keys.pending` to `keys.processing` in ONE atomic command,
 * waiting up to `timeoutMs` for one to arrive.
 *
 * @returns the id, or `null` when none came within `timeoutMs` (`0`: do not wait at all).
 * @example
 * const id = await reliableTake(redis, queueKeys('images'), 1_000);
 */
export async function reliableTake(
  redis: Redis,
  keys: Pick<QueueKeys, 'pending' | 'processing'>,
  timeoutMs: number,
): Promise<string | null> {
  // 🐨 1. timeoutMs === 0: move one id with LMOVE (never blocks) and return it (or null).
  // 🐨 2. Otherwise: BLMOVE from pending (RIGHT, the oldest) to processing (LEFT), with the
  //       timeout in SECONDS (timeoutMs / 1000). It resolves with the id, or null on timeout.
  // 💰 Never two commands (RPOP then LPUSH): a worker dying between them loses the task.
  void redis;
  void keys;
  void timeoutMs;
  throw new Error('🐨 TODO (04.1): move one id from pending to processing with BLMOVE');
}
