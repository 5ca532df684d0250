import type { QueueKeys } from '@workbook/session04';
import type { Redis } from 'ioredis';

// 🐨 Write the Lua script here: a header comment with KEYS and ARGV, then LREM, then SET ... PX.
const ACK_SCRIPT = `
-- 🐨 TODO (04.2)
return 0
`;

/**
 * Acks a task atomically: removes `taskId` from `keys.processing` and stores `resultJson` at
 * `keys.result(taskId)`, expiring after `resultTtlMs` — both or neither, in one Lua script.
 *
 * @returns `true` when acked, `false` when the task was not processing (nothing changes).
 * @example
 * await ackWithResult(redis, queueKeys('images'), task.id, JSON.stringify(result), 86_400_000);
 */
export async function ackWithResult(
  redis: Redis,
  keys: Pick<QueueKeys, 'processing' | 'result'>,
  taskId: string,
  resultJson: string,
  resultTtlMs: number,
): Promise<boolean> {
  // 🐨 Run ACK_SCRIPT (README step 3) and turn its reply into true / false.
  void ACK_SCRIPT;
  void redis;
  void keys;
  void taskId;
  void resultJson;
  void resultTtlMs;
  throw new Error(
    '🐨 TODO (04.2): remove the id from processing and store the result in one Lua script',
  );
}
