--[[
  Puts a delivered id back at the head of the pending list (the end consumers take from), so
  it is the next task delivered. Used when a blocked dequeue receives a task after close():
  the consumer is gone, the task must not wait in processing.

  Input:
    KEYS[1] processing list        imgq:{name}:processing
    KEYS[2] pending list           imgq:{name}:pending
    ARGV[1] task id

  Output:
    1 when moved back, 0 when the id was not in the processing list.
]]
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then
  return 0
end
redis.call('RPUSH', KEYS[2], ARGV[1])
return 1
