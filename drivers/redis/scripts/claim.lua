--[[
  Claims up to `limit` ready jobs for the given names under a lease.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  now (epoch ms)
  ARGV[2]  limit
  ARGV[3]  lease owner
  ARGV[4]  lease duration (ms)
  ARGV[5..] job names

  First moves due delayed jobs to their ready sets and jobs whose lease expired back to pending (bounded per
  call), then takes the best jobs across the names' ready sets: higher priority, earlier runAt, push order.
  Returns: nextRunAt (-1 if none, or if the batch is full), then per job: id, name, payload, attempt, maxAttempts ("" if unset),
  createdAt, runAt. Nothing is claimed while the queue is paused.
]]
--! include jobs
local base = KEYS[1]
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local owner = ARGV[3]
local leaseMs = tonumber(ARGV[4])
local BOUND = 1000

local function nextRunAt()
  local earliest = -1
  for _, set in ipairs({ "delayed", "active" }) do
    local top = redis.call("ZRANGE", base .. set, 0, 0, "WITHSCORES")
    if top[2] then
      local score = tonumber(top[2])
      if earliest < 0 or score < earliest then earliest = score end
    end
  end
  return earliest
end

if redis.call("EXISTS", base .. "paused") == 1 then return { -1 } end

for _, member in ipairs(redis.call("ZRANGEBYSCORE", base .. "delayed", "-inf", now, "LIMIT", 0, BOUND)) do
  redis.call("ZREM", base .. "delayed", member)
  local id = string.sub(member, 18)
  if redis.call("HGET", jobKey(base, id), "state") == "pending" then enqueue(base, id, now) end
end

for _, id in ipairs(redis.call("ZRANGEBYSCORE", base .. "active", "-inf", now, "LIMIT", 0, BOUND)) do
  redis.call("ZREM", base .. "active", id)
  local key = jobKey(base, id)
  if redis.call("HGET", key, "state") == "active" then
    redis.call("HSET", key, "state", "pending")
    redis.call("HDEL", key, "leaseOwner", "leaseExpiresAt")
    enqueue(base, id, now)
  end
end

-- Candidates: the first `limit` members of each name's ready set, merged by (score, member).
local candidates = {}
for i = 5, #ARGV do
  local key = readyKey(base, ARGV[i])
  local top = redis.call("ZRANGE", key, 0, limit - 1, "WITHSCORES")
  for j = 1, #top, 2 do
    table.insert(candidates, { member = top[j], score = tonumber(top[j + 1]), key = key })
  end
end
table.sort(candidates, function(a, b)
  if a.score ~= b.score then return a.score < b.score end
  return a.member < b.member
end)

local result = { 0 }
local claimed = 0
for _, candidate in ipairs(candidates) do
  if claimed >= limit then break end
  redis.call("ZREM", candidate.key, candidate.member)
  local id = string.sub(candidate.member, 18)
  local key = jobKey(base, id)
  if redis.call("HGET", key, "state") == "pending" then
    local attempt = redis.call("HINCRBY", key, "attempts", 1)
    local expires = now + leaseMs
    redis.call("HSET", key, "state", "active", "startedAt", now, "leaseOwner", owner, "leaseExpiresAt", expires)
    redis.call("ZADD", base .. "active", expires, id)
    local fields = redis.call("HMGET", key, "name", "payload", "maxAttempts", "createdAt", "runAt")
    table.insert(result, id)
    table.insert(result, fields[1] or "")
    table.insert(result, fields[2] or "")
    table.insert(result, attempt)
    table.insert(result, fields[3] or "")
    table.insert(result, fields[4] or "0")
    table.insert(result, fields[5] or "0")
    claimed = claimed + 1
  end
end

-- A full batch means more work is waiting: the worker will claim again without sleeping.
result[1] = claimed < limit and nextRunAt() or -1
return result
