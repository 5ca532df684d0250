--[[
  Adds one task: stores its hash, pushes its id onto the pending list and rings the doorbell,
  in one atomic step. The same layout as session 04's enqueue, so tasks queued by session 04's
  code are understood too (they only miss the doorbell ring; the next recovery pass adds it).

  Input:
    KEYS[1] pending list           imgq:{name}:pending
    KEYS[2] the task's hash        imgq:{name}:task:<id>
    KEYS[3] stats hash             imgq:{name}:stats
    KEYS[4] doorbell list          imgq:{name}:signal
    ARGV[1] task id
    ARGV[2] task JSON (id, pipeline, input, output, createdAt)

  Output:
    1 when added, 0 when a task with this id is already stored (nothing changes).
]]
--- @include "ring"
--- @include "tasks"
local added = storeTask(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
if added == 1 then
  ring(KEYS[1], KEYS[4], 1)
end
return added
