--[[
  Adds one task: stores its hash and pushes its id onto the pending list, in one atomic step,
  so a consumer never sees an id whose task is not stored yet.

  Input:
    KEYS[1] pending list           imgq:{name}:pending
    KEYS[2] the task's hash        imgq:{name}:task:<id>
    KEYS[3] stats hash             imgq:{name}:stats
    ARGV[1] task id
    ARGV[2] task JSON (id, pipeline, input, output, createdAt)

  Output:
    1 when added, 0 when a task with this id is already stored (nothing changes). A command
    resent after a dropped connection therefore never enqueues the same task twice.
]]
--- @include "tasks"
return storeTask(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
