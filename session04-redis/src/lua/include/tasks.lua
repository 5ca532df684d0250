-- How every queue of the course stores a task and takes one: session 04's scripts include this
-- file, and so do session 05's (the loader looks for includes in session 04's folder too).

-- Stores a new task (its JSON `data`, no attempts yet) and queues its id at the tail, unless a
-- task with this id is stored already: a call resent after a dropped connection must never
-- queue the same task twice. Returns 1 when added, 0 when the id is taken.
local function storeTask(pendingKey, taskKey, statsKey, id, data)
  if redis.call('EXISTS', taskKey) == 1 then
    return 0
  end
  redis.call('HSET', taskKey, 'data', data, 'attempts', 0, 'state', 'pending')
  redis.call('LPUSH', pendingKey, id)
  redis.call('HINCRBY', statsKey, 'enqueued', 1)
  return 1
end

-- Takes ids with `pop()` until one whose task is stored, counts its attempt and marks it
-- started. An id whose task is gone (deleted by hand) goes to `drop(id)` and is skipped
-- rather than delivered as nothing. Returns the id, the task key, its data and its attempts,
-- or nil once `pop()` has no more.
local function takeStored(pop, taskPrefix, startedAt, drop)
  while true do
    local id = pop()
    if not id then
      return nil
    end
    local key = taskPrefix .. id
    local data = redis.call('HGET', key, 'data')
    if data then
      local attempts = redis.call('HINCRBY', key, 'attempts', 1)
      redis.call('HSET', key, 'state', 'processing', 'startedAt', startedAt)
      return id, key, data, attempts
    end
    drop(id)
  end
end
