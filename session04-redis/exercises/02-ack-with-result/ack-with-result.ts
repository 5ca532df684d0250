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
  // 🐨 Run ACK_SCRIPT with redis.eval(script, numberOfKeys, ...keys, ...args) and turn its
  //    reply (1 or 0) into true / false.
  // 💰 Two commands (await lrem, then await set) are NOT atomic: a crash between them loses
  //    the result of work that was done.
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
