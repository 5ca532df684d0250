--[[
  Non-blocking delivery with a lease, in one atomic step: promotes retries that are due,
  takes the id at the head of the pending list, and gives it a lease — an owner, a fencing
  token and a deadline. From here on the task is in `leases` until it is acked, failed,
  released or recovered; there is no moment at which it has no owner.

  Input:
    KEYS[1] pending list           imgq:{name}:pending
    KEYS[2] leases zset            imgq:{name}:leases
    KEYS[3] delayed zset           imgq:{name}:delayed
    KEYS[4] doorbell list          imgq:{name}:signal
    ARGV[1] key prefix of tasks    imgq:{name}:task:
    ARGV[2] owner (worker id)
    ARGV[3] lease duration in ms
    ARGV[4] random part of the token (unique per call)
    ARGV[5] most due retries to promote in this call

  Output:
    { 1, id, task JSON, attempts, lease token, startedAt } when a task was taken;
    { 0, ms until the next retry is due (-1 when none is waiting) } when nothing is pending.

  The token is `<fence>-<random>`: the fence counts deliveries of this task and only grows,
  the random part keeps a task that was purged and queued again under the same id from
  reusing an old token. Task keys are built from ARGV[1], which carries the queue's hash tag.
]]
--- @include "now"
--- @include "ring"
local now = nowMs()

local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, tonumber(ARGV[5]))
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[3], id)
  redis.call('HSET', ARGV[1] .. id, 'state', 'pending')
  redis.call('HDEL', ARGV[1] .. id, 'dueAt')
  redis.call('LPUSH', KEYS[1], id)
end

while true do
  local id = redis.call('RPOP', KEYS[1])
  if not id then
    redis.call('DEL', KEYS[4])
    local nextDue = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    if nextDue[2] then
      return { 0, math.max(0, tonumber(nextDue[2]) - now) }
    end
    return { 0, -1 }
  end
  local key = ARGV[1] .. id
  local data = redis.call('HGET', key, 'data')
  if data then
    local attempts = redis.call('HINCRBY', key, 'attempts', 1)
    local fence = redis.call('HINCRBY', key, 'fence', 1)
    local token = fence .. '-' .. ARGV[4]
    redis.call('HSET', key, 'state', 'processing', 'startedAt', now, 'lease', token,
      'owner', ARGV[2])
    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), id)
    ring(KEYS[1], KEYS[4])
    return { 1, id, data, attempts, token, now }
  end
  -- An id whose task is gone (purged by hand): drop it rather than deliver nothing.
end
