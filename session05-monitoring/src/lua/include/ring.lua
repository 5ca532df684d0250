-- The doorbell: blocked consumers wait (BLPOP) on the signal list, not on the tasks, so that
-- every move of a task stays inside a Lua script. ring() makes the number of rings equal the
-- number of pending tasks (at most 100 at a time): a consumer that wakes always has a task to
-- look for, and an empty queue leaves no stale rings behind.
local function ring(pendingKey, signalKey)
  local pending = redis.call('LLEN', pendingKey)
  local rings = redis.call('LLEN', signalKey)
  if rings > pending then
    if pending == 0 then
      redis.call('DEL', signalKey)
    else
      redis.call('LTRIM', signalKey, 0, pending - 1)
    end
  elseif rings < pending then
    local add = {}
    for i = 1, math.min(pending - rings, 100) do
      add[i] = '1'
    end
    redis.call('LPUSH', signalKey, unpack(add))
  end
end
