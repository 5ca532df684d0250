--[[
  Puts delivered ids back at the head of the pending list (the end consumers take from), so
  they are the next tasks delivered, in their original order. Used by close(): for a task a
  blocked dequeue received after the consumer gave up, and for prefetched tasks no consumer
  got. Their delivery is undone, so the attempt is not counted either.

  Input:
    KEYS[1] processing list        imgq:{name}:processing
    KEYS[2] pending list           imgq:{name}:pending
    ARGV[1] key prefix of tasks    imgq:{name}:task:
    ARGV[2] '1' to take back the attempt counted at delivery, '0' when none was counted
    ARGV[3..] ids, in delivery order

  Output:
    how many ids were moved back (ids no longer in processing are left alone).
]]
local moved = 0
for i = #ARGV, 3, -1 do
  local id = ARGV[i]
  if redis.call('LREM', KEYS[1], 1, id) == 1 then
    redis.call('RPUSH', KEYS[2], id)
    local taskKey = ARGV[1] .. id
    if ARGV[2] == '1' then
      redis.call('HINCRBY', taskKey, 'attempts', -1)
    end
    redis.call('HSET', taskKey, 'state', 'pending')
    moved = moved + 1
  end
end
return moved
