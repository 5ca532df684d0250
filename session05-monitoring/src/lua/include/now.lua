-- Redis's own clock in ms: every lease deadline, due time and heartbeat is measured on one
-- clock, so workers whose clocks disagree still agree on when a lease expires.
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
