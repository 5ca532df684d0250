--[[
  Extends every lease a worker still holds, in one call per heartbeat: for each (id, token)
  pair whose token is still the task's lease, the deadline moves to now + lease duration.
  The pairs whose token no longer matches are returned: the worker has lost those tasks
  (their lease expired and recovery took them back) and must stop working on them.

  Input:
    KEYS[1] leases zset            imgq:{name}:leases
    ARGV[1] key prefix of tasks    imgq:{name}:task:
    ARGV[2] lease duration in ms
    ARGV[3..] task id, lease token, task id, lease token, ...

  Output:
    the ids whose lease was lost (empty when every lease was extended).
]]
--- @include "now"
local deadline = nowMs() + tonumber(ARGV[2])
local lost = {}
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('HGET', ARGV[1] .. id, 'lease') == ARGV[i + 1] then
    redis.call('ZADD', KEYS[1], 'XX', deadline, id)
  else
    lost[#lost + 1] = id
  end
end
return lost
