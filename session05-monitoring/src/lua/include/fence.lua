-- Fencing: only the holder of the current lease may finish a task. Returns nil when `token`
-- is the task's lease; otherwise the reply for the caller:
--   { 0 }  no such task, or the caller was never given a lease (not delivered)
--   { -1 } the caller's own delivery already finished (a second ack or fail)
--   { -2 } the lease was taken over: it expired and the task went back to the queue
--   the stored reply, when this very call already ran (ioredis resends a command whose reply
--   was lost to a dropped connection; `callId` tells that resend from a second call)
local function checkLease(taskKey, token, callId)
  local h = redis.call('HMGET', taskKey, 'state', 'lease', 'lastCall', 'lastReply', 'finishedLease')
  if not h[1] then
    return { 0 }
  end
  if token ~= '' and h[2] == token then
    return nil
  end
  if h[3] == callId and h[4] then
    return cjson.decode(h[4])
  end
  if token == '' then
    return { 0 }
  end
  if h[5] == token then
    return { -1 }
  end
  return { -2 }
end

-- Ends the lease of a task that leaves processing, remembering who ended it and how, and sets
-- the task's other `fields` (a flat list of field, value) in the same HSET.
local function endLease(leasesKey, taskKey, id, token, callId, reply, fields)
  redis.call('ZREM', leasesKey, id)
  redis.call('HDEL', taskKey, 'lease')
  redis.call('HSET', taskKey, 'finishedLease', token, 'lastCall', callId,
    'lastReply', cjson.encode(reply), unpack(fields))
end
