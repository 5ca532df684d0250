-- The score of a task in the dead letter queue: the millisecond it died, plus a sequence number
-- in the fraction (from the queue's stats hash) so that tasks dead-lettered in the same
-- millisecond keep the order in which they died (up to 1000 per millisecond). Formatted with
-- three decimals: Lua would print a bare number with 14 significant digits, cutting the
-- milliseconds off an epoch time.
local function deadScore(statsKey, now)
  local seq = redis.call('HINCRBY', statsKey, 'dlqSeq', 1)
  return string.format('%d.%03d', now, seq % 1000)
end
