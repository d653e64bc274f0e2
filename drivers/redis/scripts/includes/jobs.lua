-- Shared helpers, included at load time where a script says `--! include jobs`.
-- `base` is the key prefix, e.g. "{myapp}:"; every key of one queue shares its hash tag. The key names, the
-- priority bounds and the member layout are constants of drivers/redis/internal/keys.ts and the port,
-- written into the script when it loads (`--! const`).
--! const KEY_JOB, KEY_READY, KEY_DELAYED, KEY_ACTIVE, KEY_PAUSED, KEY_UNIQUE, KEY_NAMES, KEY_SEQ
--! const KEY_PENDING, KEY_COUNTS, CHANNEL_WAKEUP, MIN_PRIORITY, MAX_PRIORITY, MEMBER_SEQ_DIGITS

local function jobKey(base, id) return base .. KEY_JOB .. id end
local function readyKey(base, name) return base .. KEY_READY .. name end

-- A ready-set member is "<push sequence, MEMBER_SEQ_DIGITS digits>:<id>", so equal scores order by push.
local MEMBER_FORMAT = "%0" .. MEMBER_SEQ_DIGITS .. "d:"
local function memberOf(seq, id) return string.format(MEMBER_FORMAT, seq) .. id end
local function memberId(member) return string.sub(member, MEMBER_SEQ_DIGITS + 2) end

-- Orders a ready set: higher priority first (integers in [MIN_PRIORITY, MAX_PRIORITY]), then earlier runAt.
-- The 2001 priorities x 2^42 ms fit in the 53-bit mantissa of a sorted-set score.
local RUN_AT_SPAN = 4398046511104
local function readyScore(priority, runAt)
  local clamped = math.min(math.max(runAt, 0), RUN_AT_SPAN - 1)
  return (MAX_PRIORITY - priority) * RUN_AT_SPAN + clamped
end

-- Reads hash fields, missing ones as nil (not Redis' false); nil when the key holds something other than a
-- hash (a damaged record), so one bad key cannot abort a script half-way through a batch.
local function readFields(key, ...)
  local reply = redis.pcall("HMGET", key, ...)
  if reply.err then return nil end
  for i = 1, select("#", ...) do
    if reply[i] == false then reply[i] = nil end
  end
  return reply
end

-- A finite number, or nil for garbage ("abc", "nan", "inf").
local function finite(value)
  local number = tonumber(value)
  if number == nil or number ~= number or number == math.huge or number == -math.huge then return nil end
  return number
end

-- Calls a variadic command over `values` in slices of 1,000, staying below Lua's unpack limit; `key` (if
-- given) leads every slice.
local function callEach(command, key, values)
  for i = 1, #values, 1000 do
    if key then
      redis.call(command, key, unpack(values, i, math.min(i + 999, #values)))
    else
      redis.call(command, unpack(values, i, math.min(i + 999, #values)))
    end
  end
end

-- Jobs per state and name, kept in the counts hash as "<state>:<name>" -> count so `countsByName` reads them
-- instead of walking the store. Changes add up here and reach Redis as one HINCRBY per field when the script
-- calls flushCounts, which every script that moves a job between states does before it returns. A field that
-- reaches zero is deleted, so a name with no jobs left leaves nothing behind.
local JOB_STATES = { pending = true, active = true, completed = true, failed = true, cancelled = true }
local countChanges = {}

local function count(state, name, delta)
  if not JOB_STATES[state] then return end
  local byName = countChanges[state]
  if not byName then
    byName = {}
    countChanges[state] = byName
  end
  name = name or ""
  byName[name] = (byName[name] or 0) + delta
end

-- Moves one job of `name` from state `from` (nil for a new job) to `to` in the counters.
local function move(name, from, to)
  if from then count(from, name, -1) end
  count(to, name, 1)
end

local function flushCounts(base)
  local key = base .. KEY_COUNTS
  for state, byName in pairs(countChanges) do
    for name, delta in pairs(byName) do
      local field = state .. ":" .. name
      if delta ~= 0 and redis.call("HINCRBY", key, field, delta) <= 0 then redis.call("HDEL", key, field) end
    end
  end
  countChanges = {}
end

-- Frees the job's unique key, if it holds one.
local function releaseUniqueKey(base, id, uniqueKey)
  if uniqueKey and redis.call("HGET", base .. KEY_UNIQUE, uniqueKey) == id then
    redis.call("HDEL", base .. KEY_UNIQUE, uniqueKey)
  end
end

-- Fails a job whose stored record is damaged, so it stops circulating; the reason is kept as its last error.
-- A key that is not a hash at all is not a job record: it is only taken out of the queue's sets (`member`,
-- the pending-index member when the caller knows it). The job's count moves from its stored state and name to
-- failed, or from `countedState` and `countedName` when the caller knows where the counters hold it (its
-- stored state or name being damaged).
local function quarantine(base, id, now, reason, member, countedState, countedName)
  local key = jobKey(base, id)
  redis.call("ZREM", base .. KEY_ACTIVE, id)
  if member then redis.call("ZREM", base .. KEY_PENDING, member) end
  if redis.call("TYPE", key).ok ~= "hash" then return end
  local fields = readFields(key, "state", "name", "member", "uniqueKey")
  if fields[3] and fields[3] ~= member then redis.call("ZREM", base .. KEY_PENDING, fields[3]) end
  releaseUniqueKey(base, id, fields[4])
  count(countedState or fields[1], countedName or fields[2], -1)
  count("failed", fields[2], 1)
  redis.call("HSET", key, "state", "failed", "finishedAt", now, "lastError", "Corrupted job record: " .. reason)
  redis.call("HDEL", key, "leaseOwner", "leaseExpiresAt")
  redis.call("ZADD", base .. "failed", now, id)
end

-- Why a pending job cannot be filed in a ready or delayed set, or nil when it can.
local function queueProblem(name, priority, runAt, member)
  if not name or name == "" then return "it has no name" end
  local level = finite(priority)
  if not level or level ~= math.floor(level) or level < MIN_PRIORITY or level > MAX_PRIORITY then
    return "priority " .. tostring(priority) .. " is not an integer in [" .. MIN_PRIORITY .. ", " .. MAX_PRIORITY .. "]"
  end
  if not finite(runAt) then return "runAt " .. tostring(runAt) .. " is not a number" end
  if not member or string.sub(member, MEMBER_SEQ_DIGITS + 1, MEMBER_SEQ_DIGITS + 1) ~= ":" then
    return "its queue position (member) is missing"
  end
  return nil
end

-- Files a job whose record already says "pending": in its ready set, or in the delayed set while runAt is in
-- the future, and in the pending index (every pending job by run time, for listing). `from` is the state it
-- comes from, nil for a new job; "pending" re-files a job that is already pending and indexed (a delayed job
-- falling due). Returns its name, or nil when the record is damaged (the job is then failed with the reason).
local function enqueue(base, id, now, from)
  local fields = readFields(jobKey(base, id), "name", "priority", "runAt", "member")
  if not fields then
    -- Overwritten from outside: no record is left to tell the name its counters were kept under.
    quarantine(base, id, now, "not a hash")
    return nil
  end
  local name, priority, runAt, member = fields[1], fields[2], fields[3], fields[4]
  move(name, from, "pending")
  local problem = queueProblem(name, priority, runAt, member)
  if problem then
    quarantine(base, id, now, problem)
    return nil
  end
  runAt = tonumber(runAt)
  if runAt <= now then
    redis.call("ZADD", readyKey(base, name), readyScore(tonumber(priority), runAt), member)
  else
    redis.call("ZADD", base .. KEY_DELAYED, runAt, member)
  end
  if from ~= "pending" then redis.call("ZADD", base .. KEY_PENDING, runAt, member) end
  return name
end

-- Removes a job from every set that may hold it while pending or active.
local function unqueue(base, id, name, member)
  if member then
    if name then redis.call("ZREM", readyKey(base, name), member) end
    redis.call("ZREM", base .. KEY_DELAYED, member)
    redis.call("ZREM", base .. KEY_PENDING, member)
  end
  redis.call("ZREM", base .. KEY_ACTIVE, id)
end

-- Moves a job of `name` from state `from` to the final `state`, freeing its unique key (the job's `uniqueKey`
-- field, read by the caller). The caller has taken it out of the pending sets.
local function leave(base, id, state, now, uniqueKey, name, from)
  local key = jobKey(base, id)
  releaseUniqueKey(base, id, uniqueKey)
  redis.call("HSET", key, "state", state, "finishedAt", now)
  redis.call("HDEL", key, "leaseOwner", "leaseExpiresAt")
  redis.call("ZREM", base .. KEY_ACTIVE, id)
  redis.call("ZADD", base .. state, now, id)
  move(name, from, state)
end

-- True when `owner` holds the lease of active job `id`.
local function holds(base, id, owner)
  local fields = readFields(jobKey(base, id), "state", "leaseOwner")
  return fields ~= nil and fields[1] == "active" and fields[2] == owner
end
