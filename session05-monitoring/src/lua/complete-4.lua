--[[
  Acks a task: stores its result and ends its lease, in one atomic step — only if the caller
  still holds the lease (see include/fence.lua). A slow worker whose lease was taken over gets
  { -2 } and its result is dropped, so it can never overwrite the result of the worker that
  took the task over.

  Input:
    KEYS[1] leases zset            imgq:{name}:leases
    KEYS[2] the task's hash        imgq:{name}:task:<id>
    KEYS[3] the task's result      imgq:{name}:result:<id>
    KEYS[4] stats hash             imgq:{name}:stats
    ARGV[1] task id
    ARGV[2] lease token of the caller ('' when it has none)
    ARGV[3] a token unique to this call
    ARGV[4] result JSON
    ARGV[5] result TTL in ms ('0' keeps it forever)
    ARGV[6] task hash TTL in ms after finishing ('0' keeps it forever)

  Output:
    { 1 } when completed now (or by this very call before); { 0 }, { -1 }, { -2 } as in
    include/fence.lua.
]]
--- @include "now"
--- @include "fence"
local refused = checkLease(KEYS[2], ARGV[2], ARGV[3])
if refused then
  return refused
end
local now = nowMs()
if ARGV[5] == '0' then
  redis.call('SET', KEYS[3], ARGV[4])
else
  redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[5])
end
local reply = { 1 }
endLease(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], reply,
  { 'state', 'completed', 'finishedAt', now })
if ARGV[6] ~= '0' then
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
end
redis.call('HINCRBY', KEYS[4], 'completed', 1)
return reply
