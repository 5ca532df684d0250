-- The doorbell. Blocked consumers wait (BLPOP) on the signal list, not on the tasks, so every
-- move of a task stays inside a Lua script. A script that makes tasks pending rings once per
-- task, but the list never holds more rings than there are pending tasks (a consumer woken by
-- a ring always has something to look for), and at most 100 are added at a time.
local function ring(pendingKey, signalKey, count)
  if count <= 0 then
    return
  end
  local missing = redis.call('LLEN', pendingKey) - redis.call('LLEN', signalKey)
  local n = math.min(count, missing, 100)
  if n > 0 then
    local add = {}
    for i = 1, n do
      add[i] = '1'
    end
    redis.call('LPUSH', signalKey, unpack(add))
  end
end

-- Rings left behind when nothing is pending would only wake consumers for nothing.
local function silence(pendingKey, signalKey)
  if redis.call('LLEN', pendingKey) == 0 then
    redis.call('DEL', signalKey)
  end
end
