--[[
  Non-blocking delivery: moves up to ARGV[3] ids from the head of the pending list to the
  processing list (LMOVE, the same move BLMOVE makes) and marks their tasks started, in one
  atomic step and one round trip. RedisTaskQueue tries this first and only blocks (BLMOVE)
  when it returns nothing. Taking more than one is prefetching: the extra tasks wait in the
  consumer's process for its next dequeue calls, already safe in the processing list.

  Input:
    KEYS[1] pending list           imgq:{name}:pending
    KEYS[2] processing list        imgq:{name}:processing
    ARGV[1] key prefix of tasks    imgq:{name}:task:
    ARGV[2] now (epoch ms)
    ARGV[3] how many tasks to take at most (>= 1)

  Output:
    { id1, task JSON 1, attempts 1, id2, ... } in delivery order; empty when nothing is pending.

  The task keys are built here from ARGV[1]. Redis Cluster wants every key in KEYS; this is
  safe because the prefix carries the queue's hash tag, so each task key is in the same slot.
]]
--- @include "tasks"
local function moveOne()
  return redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
end
local function dropMoved(id)
  redis.call('LREM', KEYS[2], 1, id)
end

local taken = {}
for _ = 1, tonumber(ARGV[3]) do
  local id, _, data, attempts = takeStored(moveOne, ARGV[1], ARGV[2], dropMoved)
  if not id then
    break
  end
  taken[#taken + 1] = id
  taken[#taken + 1] = data
  taken[#taken + 1] = attempts
end
return taken
