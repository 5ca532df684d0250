--[[
  Marks a task started after BLMOVE delivered its id: counts the attempt and records when it
  started. BLMOVE itself cannot run a script, so this is a second, separate step; a consumer
  that dies between the two leaves the id in the processing list, where it is not lost.

  Input:
    KEYS[1] processing list        imgq:{name}:processing
    KEYS[2] the task's hash        imgq:{name}:task:<id>
    ARGV[1] task id
    ARGV[2] now (epoch ms)

  Output:
    { task JSON, attempts }, or nil when the task is not stored (its id is then dropped).
]]
local data = redis.call('HGET', KEYS[2], 'data')
if not data then
  redis.call('LREM', KEYS[1], 1, ARGV[1])
  return nil
end
local attempts = redis.call('HINCRBY', KEYS[2], 'attempts', 1)
redis.call('HSET', KEYS[2], 'state', 'processing', 'startedAt', ARGV[2])
return { data, attempts }
