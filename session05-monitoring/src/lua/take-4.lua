--[[
  Non-blocking delivery with leases, in one atomic step: promotes retries that are due, takes
  up to ARGV[6] ids from the head of the pending list, and gives each a lease — an owner, a
  fencing token and a deadline. From here on a task is in `leases` until it is acked, failed,
  released or recovered; there is no moment at which it has no owner. Taking more than one is
  prefetching: the extra tasks wait in the consumer's process, leased (and extended) like the
  ones it runs.

  Input:
    KEYS[1] pending list           imgq:{name}:pending
    KEYS[2] leases zset            imgq:{name}:leases
    KEYS[3] delayed zset           imgq:{name}:delayed
    KEYS[4] doorbell list          imgq:{name}:signal
    ARGV[1] key prefix of tasks    imgq:{name}:task:
    ARGV[2] owner (worker id)
    ARGV[3] lease duration in ms
    ARGV[4] random part of the tokens (unique per call)
    ARGV[5] most due retries to promote in this call
    ARGV[6] most tasks to take (>= 1)

  Output:
    { n, now, ms until the next retry is due (-1: none), id1, task JSON 1, attempts 1, token 1,
      id2, ... } — n tasks taken, in delivery order; n is 0 when nothing is pending.

  A token is `<fence>-<random>`: the fence counts deliveries of the task and only grows; the
  random part keeps a task purged and queued again under the same id from reusing an old
  token. Task keys are built from ARGV[1], which carries the queue's hash tag.
]]
--- @include "now"
--- @include "ring"
--- @include "tasks"
local now = nowMs()

local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, tonumber(ARGV[5]))
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[3], id)
  redis.call('HSET', ARGV[1] .. id, 'state', 'pending')
  redis.call('HDEL', ARGV[1] .. id, 'dueAt')
  redis.call('LPUSH', KEYS[1], id)
end

local function popOne()
  return redis.call('RPOP', KEYS[1])
end
local function forget()
  -- The id left pending with the RPOP: nothing more to clean up.
end

local taken = {}
local deadline = now + tonumber(ARGV[3])
for _ = 1, tonumber(ARGV[6]) do
  local id, key, data, attempts = takeStored(popOne, ARGV[1], now, forget)
  if not id then
    break
  end
  -- The lease: an owner, a fencing token (deliveries of this task only grow) and a deadline.
  local token = redis.call('HINCRBY', key, 'fence', 1) .. '-' .. ARGV[4]
  redis.call('HSET', key, 'lease', token, 'owner', ARGV[2])
  redis.call('ZADD', KEYS[2], deadline, id)
  taken[#taken + 1] = id
  taken[#taken + 1] = data
  taken[#taken + 1] = attempts
  taken[#taken + 1] = token
end

ring(KEYS[1], KEYS[4], #due)
silence(KEYS[1], KEYS[4])
local nextDue = -1
if #taken == 0 then
  local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  if first[2] then
    nextDue = math.max(0, tonumber(first[2]) - now)
  end
end
local reply = { #taken / 4, now, nextDue }
for _, value in ipairs(taken) do
  reply[#reply + 1] = value
end
return reply
