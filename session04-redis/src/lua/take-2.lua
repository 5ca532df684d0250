--[[
  Non-blocking delivery: moves the id at the head of the pending list to the processing list
  (LMOVE, the same move BLMOVE makes) and marks its task started, in one atomic step and one
  round trip. RedisTaskQueue tries this first and only blocks (BLMOVE) when it returns nil.

  Input:
    KEYS[1] pending list           imgq:{name}:pending
    KEYS[2] processing list        imgq:{name}:processing
    ARGV[1] key prefix of tasks    imgq:{name}:task:
    ARGV[2] now (epoch ms)

  Output:
    { id, task JSON, attempts } or nil when nothing is pending.

  The task key is built here from ARGV[1]. Redis Cluster wants every key in KEYS; this is safe
  because the prefix carries the queue's hash tag, so the task key lives in the same slot.
]]
while true do
  local id = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
  if not id then
    return nil
  end
  local taskKey = ARGV[1] .. id
  local data = redis.call('HGET', taskKey, 'data')
  if data then
    local attempts = redis.call('HINCRBY', taskKey, 'attempts', 1)
    redis.call('HSET', taskKey, 'state', 'processing', 'startedAt', ARGV[2])
    return { id, data, attempts }
  end
  -- An id without a stored task (deleted by hand): drop it instead of delivering nothing.
  redis.call('LREM', KEYS[2], 1, id)
end
