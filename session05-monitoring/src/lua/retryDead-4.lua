--[[
  Moves dead-lettered tasks back to the pending list, atomically per call: an operator fixed
  the cause (or the input) and wants them done. Each task leaves the DLQ, loses its failed
  result (it is not final any more) and queues at the tail like a new task.

  Attempts are reset to 0 unless ARGV[3] is '1': after a fix the task deserves its full set of
  retries again; keeping them is for "try once more, then give up".

  Input:
    KEYS[1] dead letter zset       imgq:{name}:dlq
    KEYS[2] pending list           imgq:{name}:pending
    KEYS[3] stats hash             imgq:{name}:stats
    KEYS[4] doorbell list          imgq:{name}:signal
    ARGV[1] key prefix of tasks    imgq:{name}:task:
    ARGV[2] key prefix of results  imgq:{name}:result:
    ARGV[3] '1' keeps the attempts, '0' resets them
    ARGV[4] 'all' to retry the oldest ARGV[5] entries, 'ids' to retry ARGV[6..]
    ARGV[5] most entries to move in this call (for 'all')
    ARGV[6..] task ids (for 'ids')

  Output:
    { moved ids, ids that were not in the DLQ }
]]
--- @include "now"
--- @include "ring"
local now = nowMs()
local ids = {}
if ARGV[4] == 'all' then
  ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[5]) - 1)
else
  for i = 6, #ARGV do
    ids[#ids + 1] = ARGV[i]
  end
end
local moved, missing = {}, {}
for _, id in ipairs(ids) do
  local key = ARGV[1] .. id
  if redis.call('ZREM', KEYS[1], id) == 1 and redis.call('EXISTS', key) == 1 then
    redis.call('HSET', key, 'state', 'pending', 'retriedFromDlqAt', now)
    redis.call('HDEL', key, 'deadAt', 'deadReason')
    if ARGV[3] ~= '1' then
      redis.call('HSET', key, 'attempts', 0)
    end
    redis.call('PERSIST', key)
    redis.call('DEL', ARGV[2] .. id)
    redis.call('LPUSH', KEYS[2], id)
    moved[#moved + 1] = id
  else
    missing[#missing + 1] = id
  end
end
if #moved > 0 then
  redis.call('HINCRBY', KEYS[3], 'dlqRetried', #moved)
  ring(KEYS[2], KEYS[4], #moved)
end
return { moved, missing }
