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
  // 🐨 The four points of the README: which end is the oldest, what "0" means to Redis, and
  //    which unit its timeout is in. ONE command per take. (`pnpm hint 04.1` if stuck.)
  void redis;
  void keys;
  void timeoutMs;
  throw new Error('🐨 TODO (04.1): move one id from pending to processing with BLMOVE');
}
