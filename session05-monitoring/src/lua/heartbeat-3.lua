--[[
  One heartbeat of a worker (also its registration): refreshes the key whose existence means
  "alive" with a PX TTL, records what the worker reports, and its time in the registry zset.
  A worker that stops calling this is dead once the TTL runs out — no one has to notice the
  crash itself, the key simply expires.

  Input:
    KEYS[1] registry zset          imgq:{name}:workers
    KEYS[2] the worker's hash      imgq:{name}:worker:<id>
    KEYS[3] the worker's heartbeat imgq:{name}:worker:<id>:alive
    ARGV[1] worker id
    ARGV[2] heartbeat TTL in ms
    ARGV[3..] field, value pairs to record (status, processed, current, ...)

  Output:
    the Redis time of the heartbeat (ms).
]]
--- @include "now"
local now = nowMs()
redis.call('SET', KEYS[3], now, 'PX', tonumber(ARGV[2]))
redis.call('HSET', KEYS[2], 'lastSeen', now, 'ttlMs', ARGV[2])
redis.call('HDEL', KEYS[2], 'reapedAt')
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
return now
