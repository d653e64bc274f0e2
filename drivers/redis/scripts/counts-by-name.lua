--[[
  Counts jobs per name and state from the counters every state change keeps (the counts hash), without
  walking the jobs.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  now (epoch ms)

  Returns a flat array of "<state>:<name>", count pairs: the counters (pending, active, completed, failed,
  cancelled; a name with no jobs has none), then "delayed:<name>" for each name with pending jobs due after
  now (they are also counted as pending).

  Delayed jobs wait in one delayed set for every name, which may also hold jobs already due that no claim has
  moved to their ready set yet. A name's jobs in the delayed set are its pending jobs minus its ready ones;
  the due members are taken off by reading their names, or, when due members outnumber the others, the
  members due after now are counted by name directly: the work is the smaller side, none when nothing is
  due (the usual case while workers run).
]]
--! include jobs
local base = KEYS[1]
local now = ARGV[1]
local reply = redis.call("HGETALL", base .. KEY_COUNTS)
local delayedKey = base .. KEY_DELAYED
local total = redis.call("ZCARD", delayedKey)
if total == 0 then return reply end

local function nameOf(member)
  local fields = readFields(jobKey(base, memberId(member)), "name")
  return fields and fields[1] or ""
end

local delayed = {}
local due = redis.call("ZCOUNT", delayedKey, "-inf", now)
if due <= total - due then
  for i = 1, #reply, 2 do
    if string.sub(reply[i], 1, 8) == "pending:" then
      local name = string.sub(reply[i], 9)
      delayed[name] = tonumber(reply[i + 1]) - redis.call("ZCARD", readyKey(base, name))
    end
  end
  if due > 0 then
    for _, member in ipairs(redis.call("ZRANGEBYSCORE", delayedKey, "-inf", now)) do
      local name = nameOf(member)
      if delayed[name] then delayed[name] = delayed[name] - 1 end
    end
  end
else
  for _, member in ipairs(redis.call("ZRANGEBYSCORE", delayedKey, "(" .. now, "+inf")) do
    local name = nameOf(member)
    delayed[name] = (delayed[name] or 0) + 1
  end
end
for name, number in pairs(delayed) do
  if number > 0 then
    table.insert(reply, "delayed:" .. name)
    table.insert(reply, number)
  end
end
return reply
