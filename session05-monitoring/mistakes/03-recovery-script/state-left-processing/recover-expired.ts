import type { ReliableKeys } from '@workbook/session05';
import type { Redis } from 'ioredis';

/**
 * The recovery step for expired leases, as ONE Lua script (atomic: safe when many workers run
 * it at once).
 *
 * Input:
 *   KEYS[1] leases zset            imgq:{name}:leases     id → lease deadline (ms)
 *   KEYS[2] pending list           imgq:{name}:pending    consumers take from the RIGHT end
 *   KEYS[3] dead letter zset       imgq:{name}:dlq        id → when it was dead-lettered
 *   KEYS[4] stats hash             imgq:{name}:stats      counters: recovered, failed
 *   ARGV[1] key prefix of tasks    imgq:{name}:task:      the task hash is ARGV[1] .. id
 *   ARGV[2] now (ms)
 *   ARGV[3] max attempts
 *   ARGV[4] most leases to handle in this call
 *
 * Output:
 *   { requeued ids, dead-lettered ids }
 */
export const RECOVER_EXPIRED_LUA = `
local now = tonumber(ARGV[2])
local maxAttempts = tonumber(ARGV[3])
local requeued, dead = {}, {}
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
for _, id in ipairs(expired) do
  -- ZREM is the claim: of two passes running the same moment, only one removes the lease.
  if redis.call('ZREM', KEYS[1], id) == 1 then
    local key = ARGV[1] .. id
    local attempts = tonumber(redis.call('HGET', key, 'attempts')) or 0
    redis.call('HDEL', key, 'lease')
    if attempts < maxAttempts then
      redis.call('RPUSH', KEYS[2], id)
      redis.call('HINCRBY', KEYS[4], 'recovered', 1)
      requeued[#requeued + 1] = id
    else
      local err = cjson.encode({
        name = 'LeaseExpiredError',
        code = 'ERR_LEASE_EXPIRED_TOO_OFTEN',
        message = 'The lease of this task expired on all ' .. attempts .. ' attempts',
      })
      redis.call('HSET', key, 'state', 'dead', 'deadReason', 'lease-expired', 'deadAt', now,
        'lastError', err)
      redis.call('ZADD', KEYS[3], now, id)
      redis.call('HINCRBY', KEYS[4], 'failed', 1)
      dead[#dead + 1] = id
    end
  end
end
return { requeued, dead }
`;

/** What one recovery pass did. */
export interface RecoverExpiredResult {
  requeued: string[];
  deadLettered: string[];
}

/**
 * Runs {@link RECOVER_EXPIRED_LUA} once on the queue with `keys`.
 * @param options.now the time leases are compared with @default Date.now()
 * @param options.limit most leases handled in one call @default 1000
 */
export async function recoverExpired(
  redis: Redis,
  keys: Pick<ReliableKeys, 'leases' | 'pending' | 'dlq' | 'stats' | 'taskPrefix'>,
  options: { maxAttempts: number; now?: number; limit?: number },
): Promise<RecoverExpiredResult> {
  const [requeued, deadLettered] = (await redis.eval(
    RECOVER_EXPIRED_LUA,
    4,
    keys.leases,
    keys.pending,
    keys.dlq,
    keys.stats,
    keys.taskPrefix,
    options.now ?? Date.now(),
    options.maxAttempts,
    options.limit ?? 1_000,
  )) as [string[], string[]];
  return { requeued, deadLettered };
}
