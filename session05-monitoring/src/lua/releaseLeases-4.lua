--[[
  Hands tasks back to the queue on a graceful shutdown: for each (id, token) pair whose token
  is still the task's lease, the lease ends and the id goes to the head of the pending list
  (it is delivered next). The attempt is not counted: the task did not fail, its worker
  stopped. Pairs whose lease was already lost are skipped.

  Input:
    KEYS[1] leases zset            imgq:{name}:leases
    KEYS[2] pending list           imgq:{name}:pending
    KEYS[3] stats hash             imgq:{name}:stats
    KEYS[4] doorbell list          imgq:{name}:signal
    ARGV[1] key prefix of tasks    imgq:{name}:task:
    ARGV[2..] task id, lease token, task id, lease token, ...

  Output:
    the ids handed back.
]]
--- @include "ring"
local released = {}
for i = 2, #ARGV, 2 do
  local id = ARGV[i]
  local key = ARGV[1] .. id
  if redis.call('HGET', key, 'lease') == ARGV[i + 1] then
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', key, 'lease')
    redis.call('HSET', key, 'state', 'pending', 'finishedLease', ARGV[i + 1])
    redis.call('HINCRBY', key, 'attempts', -1)
    redis.call('RPUSH', KEYS[2], id)
    released[#released + 1] = id
  end
end
if #released > 0 then
  redis.call('HINCRBY', KEYS[3], 'released', #released)
  ring(KEYS[2], KEYS[4], #released)
end
return released
