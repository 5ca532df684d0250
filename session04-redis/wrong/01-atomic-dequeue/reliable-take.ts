import type { QueueKeys } from '@workbook/session04';
import type { Redis } from 'ioredis';

/**
 * Moves the oldest task id from `keys.pending` to `keys.processing` — in two commands, which
 * is the mistake: see WRONG.md.
 */
export async function reliableTake(
  redis: Redis,
  keys: Pick<QueueKeys, 'pending' | 'processing'>,
  timeoutMs: number,
): Promise<string | null> {
  let id: string | null;
  if (timeoutMs === 0) {
    id = await redis.rpop(keys.pending);
  } else {
    const popped = await redis.brpop(keys.pending, timeoutMs / 1000);
    id = popped ? popped[1] : null;
  }
  if (id !== null) await redis.lpush(keys.processing, id);
  return id;
}
