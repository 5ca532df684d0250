--[[
  Deletes dead-lettered tasks for good (their hash and their result): all of them, or those
  dead-lettered before a cutoff. At most ARGV[4] per call, so a huge DLQ never blocks Redis
  for long; the caller repeats until it returns 0.

  Input:
    KEYS[1] dead letter zset       imgq:{name}:dlq
    ARGV[1] key prefix of tasks    imgq:{name}:task:
    ARGV[2] key prefix of results  imgq:{name}:result:
    ARGV[3] age in ms: entries older than this go ('-1' purges all)
    ARGV[4] most entries to delete in this call

  Output:
    the number of entries deleted.
]]
--- @include "now"
local cutoff = '+inf'
if tonumber(ARGV[3]) >= 0 then
  cutoff = '(' .. (nowMs() - tonumber(ARGV[3]))
end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff, 'LIMIT', 0, tonumber(ARGV[4]))
for _, id in ipairs(ids) do
  redis.call('DEL', ARGV[1] .. id, ARGV[2] .. id)
  redis.call('ZREM', KEYS[1], id)
end
return #ids
