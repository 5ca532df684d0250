import type { QueueKeys } from '@workbook/session04';
import type { Redis } from 'ioredis';

/**
 * Acks a task — in two commands, which is the mistake: see WRONG.md.
 */
export async function ackWithResult(
  redis: Redis,
  keys: Pick<QueueKeys, 'processing' | 'result'>,
  taskId: string,
  resultJson: string,
  resultTtlMs: number,
): Promise<boolean> {
  const removed = await redis.lrem(keys.processing, 1, taskId);
  if (removed === 0) return false;
  await redis.set(keys.result(taskId), resultJson, 'PX', resultTtlMs);
  return true;
}
