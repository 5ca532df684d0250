--[[
  Fails one attempt of a task, in one atomic step and only if the caller holds the lease:
  either schedules a retry (the task waits in `delayed` until it is due, or goes straight back
  to `pending` when the delay is 0), or dead-letters it — when the error is not retryable or
  this was the last allowed attempt. A dead-lettered task also gets its failed result, so
  `result(id)` answers for it.

  Input:
    KEYS[1] leases zset            imgq:{name}:leases
    KEYS[2] delayed zset           imgq:{name}:delayed
    KEYS[3] pending list           imgq:{name}:pending
    KEYS[4] dead letter zset       imgq:{name}:dlq
    KEYS[5] the task's hash        imgq:{name}:task:<id>
    KEYS[6] the task's result      imgq:{name}:result:<id>
    KEYS[7] stats hash             imgq:{name}:stats
    KEYS[8] doorbell list          imgq:{name}:signal
    ARGV[1] task id
    ARGV[2] lease token of the caller ('' when it has none)
    ARGV[3] a token unique to this call
    ARGV[4] result JSON (status 'failed', with the error)
    ARGV[5] error JSON {name, code, message}
    ARGV[6] '1' when the error may be retried, '0' when not
    ARGV[7] max attempts
    ARGV[8] retry delay in ms (from computeBackoff)
    ARGV[9] worker id (kept as the task's last worker)
    ARGV[10] result TTL in ms ('0' keeps it forever)

  Output:
    { 2, due time (ms) } retry scheduled; { 3, reason } dead-lettered, reason 'non-retryable'
    or 'attempts-exhausted'; { 0 }, { -1 }, { -2 } as in include/fence.lua.
]]
--- @include "now"
--- @include "ring"
--- @include "fence"
--- @include "dead"
local refused = checkLease(KEYS[5], ARGV[2], ARGV[3])
if refused then
  return refused
end
local now = nowMs()
local attempts = tonumber(redis.call('HGET', KEYS[5], 'attempts')) or 0
redis.call('HSETNX', KEYS[5], 'firstFailedAt', now)
local failure = { 'lastFailedAt', now, 'lastError', ARGV[5], 'lastWorker', ARGV[9] }

if ARGV[6] == '1' and attempts < tonumber(ARGV[7]) then
  local dueAt = now + tonumber(ARGV[8])
  local reply = { 2, dueAt }
  if tonumber(ARGV[8]) <= 0 then
    table.insert(failure, 'state')
    table.insert(failure, 'pending')
    endLease(KEYS[1], KEYS[5], ARGV[1], ARGV[2], ARGV[3], reply, failure)
    redis.call('LPUSH', KEYS[3], ARGV[1])
    ring(KEYS[3], KEYS[8], 1)
  else
    for _, v in ipairs({ 'state', 'delayed', 'dueAt', dueAt }) do
      table.insert(failure, v)
    end
    endLease(KEYS[1], KEYS[5], ARGV[1], ARGV[2], ARGV[3], reply, failure)
    redis.call('ZADD', KEYS[2], dueAt, ARGV[1])
  end
  redis.call('HINCRBY', KEYS[7], 'retried', 1)
  return reply
end

local reason = 'attempts-exhausted'
if ARGV[6] ~= '1' then
  reason = 'non-retryable'
end
local reply = { 3, reason }
for _, v in ipairs({ 'state', 'dead', 'deadAt', now, 'deadReason', reason }) do
  table.insert(failure, v)
end
endLease(KEYS[1], KEYS[5], ARGV[1], ARGV[2], ARGV[3], reply, failure)
if ARGV[10] == '0' then
  redis.call('SET', KEYS[6], ARGV[4])
else
  redis.call('SET', KEYS[6], ARGV[4], 'PX', ARGV[10])
end
redis.call('ZADD', KEYS[4], deadScore(KEYS[7], now), ARGV[1])
redis.call('HINCRBY', KEYS[7], 'failed', 1)
return reply
