--[[
  The recovery step, in ONE atomic script so that any number of workers can run it at the same
  time: each task it touches is checked and moved inside the script, so two passes can never
  both move the same task.

  1. Leases past their deadline: the owner stopped extending them (crashed, stalled, cut off).
  2. Leases whose owner is dead: the registry knows the owner, but its heartbeat key has
     expired (caught even when a long lease has not run out yet). Each dead worker is reaped
     once; a heartbeat brings it back.
  A reclaimed task goes back to the head of `pending` (it has waited long enough), or to the
  dead letter queue with ERR_LEASE_EXPIRED_TOO_OFTEN when it has used all its attempts: a task
  that kills or hangs every worker that runs it must not go round forever.
  3. Retries that are due move from `delayed` to `pending`.
  4. Workers dead for longer than the retention are removed from the registry.
  5. The doorbell rings for the tasks made pending, and for pending tasks without a ring.

  Input:
    KEYS[1] leases zset            imgq:{name}:leases
    KEYS[2] pending list           imgq:{name}:pending
    KEYS[3] delayed zset           imgq:{name}:delayed
    KEYS[4] dead letter zset       imgq:{name}:dlq
    KEYS[5] doorbell list          imgq:{name}:signal
    KEYS[6] stats hash             imgq:{name}:stats
    KEYS[7] registry zset          imgq:{name}:workers
    ARGV[1] key prefix of tasks    imgq:{name}:task:
    ARGV[2] key prefix of results  imgq:{name}:result:
    ARGV[3] key prefix of workers  imgq:{name}:worker:
    ARGV[4] max attempts
    ARGV[5] most tasks to reclaim (and retries to promote) in one call
    ARGV[6] result TTL in ms ('0' keeps it forever)
    ARGV[7] how long a dead worker stays listed in the registry (ms)

  Output:
    { requeued ids, dead-lettered ids, number of retries promoted, reaped worker ids }
]]
--- @include "now"
--- @include "ring"
--- @include "dead"
local now = nowMs()
local maxAttempts = tonumber(ARGV[4])
local limit = tonumber(ARGV[5])
local requeued, dead = {}, {}

local function reclaim(id, why)
  if redis.call('ZREM', KEYS[1], id) == 0 then
    return
  end
  local key = ARGV[1] .. id
  local h = redis.call('HMGET', key, 'data', 'attempts', 'owner')
  if not h[1] then
    return
  end
  local attempts = tonumber(h[2]) or 0
  local owner = h[3] or ''
  redis.call('HDEL', key, 'lease')
  -- The old holder's token now matches nothing: its ack or fail gets { -2 }, lease lost.
  redis.call('HSET', key, 'lastWorker', owner, 'recoveredAt', now, 'recoveredWhy', why)
  if attempts < maxAttempts then
    redis.call('HSET', key, 'state', 'pending')
    redis.call('RPUSH', KEYS[2], id)
    redis.call('HINCRBY', KEYS[6], 'recovered', 1)
    requeued[#requeued + 1] = id
    return
  end
  local err = {
    name = 'LeaseExpiredError',
    code = 'ERR_LEASE_EXPIRED_TOO_OFTEN',
    message = 'The lease of this task expired on all ' .. attempts .. ' attempts (last owner `' ..
      owner .. '`, ' .. why .. '): it may crash or hang every worker that runs it. ' ..
      'Inspect the input, then `imgq dlq retry ' .. id .. '`.',
  }
  local errJson = cjson.encode(err)
  local result = cjson.encode({
    taskId = id, status = 'failed', error = err, durationMs = 0, workerId = owner,
    attempt = attempts, finishedAt = now,
  })
  redis.call('HSETNX', key, 'firstFailedAt', now)
  redis.call('HSET', key, 'state', 'dead', 'deadAt', now, 'deadReason', 'lease-expired',
    'lastFailedAt', now, 'lastError', errJson)
  if ARGV[6] == '0' then
    redis.call('SET', ARGV[2] .. id, result)
  else
    redis.call('SET', ARGV[2] .. id, result, 'PX', ARGV[6])
  end
  redis.call('ZADD', KEYS[4], deadScore(KEYS[6], now), id)
  redis.call('HINCRBY', KEYS[6], 'failed', 1)
  dead[#dead + 1] = id
end

-- 1. Expired leases.
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)) do
  reclaim(id, 'lease expired')
end

-- 2. Leases of dead workers (known to the registry, heartbeat key gone, not reaped yet).
local reaped, deadOwner = {}, {}
for _, worker in ipairs(redis.call('ZRANGE', KEYS[7], 0, -1)) do
  local info = ARGV[3] .. worker
  if redis.call('EXISTS', info .. ':alive') == 0 and not redis.call('HGET', info, 'reapedAt') then
    redis.call('HSET', info, 'reapedAt', now, 'status', 'dead')
    deadOwner[worker] = true
    reaped[#reaped + 1] = worker
  end
end
if #reaped > 0 then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, limit - 1)) do
    if deadOwner[redis.call('HGET', ARGV[1] .. id, 'owner')] then
      reclaim(id, 'owner dead')
    end
  end
end

-- 3. Retries that are due.
local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[3], id)
  redis.call('HSET', ARGV[1] .. id, 'state', 'pending')
  redis.call('HDEL', ARGV[1] .. id, 'dueAt')
  redis.call('LPUSH', KEYS[2], id)
end

-- 4. Forget workers that have been dead for longer than the retention.
local old = redis.call('ZRANGEBYSCORE', KEYS[7], '-inf', now - tonumber(ARGV[7]))
for _, worker in ipairs(old) do
  if redis.call('EXISTS', ARGV[3] .. worker .. ':alive') == 0 then
    redis.call('DEL', ARGV[3] .. worker)
    redis.call('ZREM', KEYS[7], worker)
  end
end

-- 5. One ring per task made pending here; and when pending tasks have no ring at all (queued
--    by code that does not ring, like session 04's, or a ring lost with a crashed consumer),
--    a few, so blocked consumers come for them.
ring(KEYS[2], KEYS[5], #requeued + #due)
if redis.call('LLEN', KEYS[5]) == 0 then
  ring(KEYS[2], KEYS[5], 16)
end
return { requeued, dead, #due, reaped }
