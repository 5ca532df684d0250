import type { QueueKeys } from '@workbook/session04';
import type { Redis } from 'ioredis';

const ACK_SCRIPT = `
--[[
  Acks a task: removes its id from the processing list and stores its result with a TTL.
  KEYS[1] processing list
  KEYS[2] the task's result key
  ARGV[1] task id
  ARGV[2] result JSON
  ARGV[3] result TTL in ms
  Returns 1 when acked, 0 when the id was not in processing (nothing changes).
]]
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2])
return 1
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
  const acked = await redis.eval(
    ACK_SCRIPT,
    2,
    keys.processing,
    keys.result(taskId),
    taskId,
    resultJson,
    resultTtlMs,
  );
  return acked === 1;
}
