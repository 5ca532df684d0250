--[[
  Acks or fails a delivered task in one atomic step: removes its id from the processing list,
  stores the result with a TTL, marks the task finished (its hash expires later) and counts it.
  Either all of it happens or none: no crash can leave a stored result for a task that is
  still "processing", or a removed id without a result.

  Input:
    KEYS[1] processing list        imgq:{name}:processing
    KEYS[2] the task's hash        imgq:{name}:task:<id>
    KEYS[3] the task's result      imgq:{name}:result:<id>
    KEYS[4] stats hash             imgq:{name}:stats
    ARGV[1] task id
    ARGV[2] result JSON
    ARGV[3] 'completed' or 'failed' (also the stats field incremented)
    ARGV[4] result TTL in ms ('0' keeps it forever)
    ARGV[5] task TTL in ms after finishing ('0' keeps it forever)
    ARGV[6] a token unique to this ack/fail call

  Output:
    1 when finished now, or when this very call already finished it (ioredis resends a command
    whose reply was lost to a dropped connection; the token tells that resend from a second
    ack); -1 when the task was already finished by another call; 0 when the task is not
    processing and not finished (unknown, or not delivered yet).
]]
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
if removed == 0 then
  local token = redis.call('HGET', KEYS[2], 'finishedBy')
  if token == ARGV[6] then
    return 1
  elseif token then
    return -1
  end
  return 0
end
if ARGV[4] == '0' then
  redis.call('SET', KEYS[3], ARGV[2])
else
  redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[4])
end
redis.call('HSET', KEYS[2], 'state', ARGV[3], 'finishedBy', ARGV[6])
if ARGV[5] ~= '0' then
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
end
redis.call('HINCRBY', KEYS[4], ARGV[3], 1)
return 1
