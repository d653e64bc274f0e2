-- Shared helpers, included at load time where a script says `--! include jobs`.
-- `base` is the key prefix, e.g. "{myapp}:"; every key of one queue shares its hash tag.

local function jobKey(base, id) return base .. "job:" .. id end
local function readyKey(base, name) return base .. "ready:" .. name end

-- Orders a ready set: higher priority first (priorities are integers in [-1000, 1000]), then earlier runAt.
-- 2001 priorities x 2^42 ms fit in the 53-bit mantissa of a sorted-set score.
local RUN_AT_SPAN = 4398046511104
local function readyScore(priority, runAt)
  local clamped = math.min(math.max(tonumber(runAt) or 0, 0), RUN_AT_SPAN - 1)
  return (1000 - tonumber(priority)) * RUN_AT_SPAN + clamped
end

-- Puts a pending job in its ready set, or in the delayed set while runAt is in the future.
local function enqueue(base, id, now)
  local fields = redis.call("HMGET", jobKey(base, id), "name", "priority", "runAt", "member")
  local name, priority, runAt, member = fields[1], fields[2] or "0", tonumber(fields[3]) or 0, fields[4]
  if runAt <= now then
    redis.call("ZADD", readyKey(base, name), readyScore(priority, runAt), member)
  else
    redis.call("ZADD", base .. "delayed", runAt, member)
  end
  return name
end

-- Removes a job from every set that may hold it while pending or active.
local function unqueue(base, id, name, member)
  redis.call("ZREM", readyKey(base, name), member)
  redis.call("ZREM", base .. "delayed", member)
  redis.call("ZREM", base .. "active", id)
end

-- Frees the job's unique key, if it holds one.
local function releaseUniqueKey(base, id)
  local uniqueKey = redis.call("HGET", jobKey(base, id), "uniqueKey")
  if uniqueKey and redis.call("HGET", base .. "unique", uniqueKey) == id then
    redis.call("HDEL", base .. "unique", uniqueKey)
  end
end

-- Moves a job to a final state, freeing its unique key.
local function leave(base, id, state, now)
  local key = jobKey(base, id)
  releaseUniqueKey(base, id)
  redis.call("HSET", key, "state", state, "finishedAt", now)
  redis.call("HDEL", key, "leaseOwner", "leaseExpiresAt")
  redis.call("ZREM", base .. "active", id)
  redis.call("ZADD", base .. state, now, id)
end

-- True when `owner` holds the lease of active job `id`.
local function holds(base, id, owner)
  local fields = redis.call("HMGET", jobKey(base, id), "state", "leaseOwner")
  return fields[1] == "active" and fields[2] == owner
end
