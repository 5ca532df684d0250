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
  // BLMOVE with timeout 0 would block forever: "do not wait" is the non-blocking LMOVE.
  if (timeoutMs === 0) return redis.lmove(keys.pending, keys.processing, 'RIGHT', 'LEFT');
  return redis.blmove(keys.pending, keys.processing, 'RIGHT', 'LEFT', Math.floor(timeoutMs / 1000));
}
