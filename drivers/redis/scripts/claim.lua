--[[
  Records the outcomes the worker carries (as finish.lua does), then claims up to `limit` ready jobs for the
  given names under a lease.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  now (epoch ms)
  ARGV[2]  limit
  ARGV[3]  lease owner
  ARGV[4]  lease duration (ms)
  ARGV[5]  "1" to delete completed jobs instead of keeping them
  ARGV[6]  the outcomes carried, a JSON array as in finish.lua ("[]" for none)
  ARGV[7..] job names

  Then moves due delayed jobs to their ready sets and jobs whose lease expired back to pending (at most
  1,000 of each per call), then takes the best jobs across the names' ready sets: higher priority, earlier
  runAt, push order. A job whose record is damaged is failed with the reason instead of being handed out.
  Nothing is claimed while the queue is paused.

  Returns one JSON array (a single string is far cheaper for the client to read than a long reply): nextRunAt,
  the number of lost outcomes and their ids (leases not held, ignored), then per job: id, name, payload,
  attempt, maxAttempts ("" if unset), createdAt, runAt. nextRunAt is the earliest delayed runAt or lease
  expiry; -1 when there is none or the batch is full (more work is likely waiting), `now` when damaged
  records were skipped (claim again at once).
]]
--! include jobs
--! include outcomes
local base = KEYS[1]
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local owner = ARGV[3]
local expires = now + tonumber(ARGV[4])
local FIRST_NAME = 7
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

-- The job's state, or nil when its record is missing or not a hash.
local function stateOf(id)
  local fields = readFields(jobKey(base, id), "state")
  return fields and fields[1]
end

-- Why a pending job's fields cannot be handed to a worker, or nil when they can.
local function claimProblem(fields)
  local name, payload, attempts, maxAttempts, createdAt, runAt = fields[2], fields[3], fields[4], fields[5], fields[6], fields[7]
  if not name or name == "" then return "it has no name" end
  if not payload then return "it has no payload" end
  local count = finite(attempts or 0)
  if not count or count < 0 or count ~= math.floor(count) then
    return "attempts " .. tostring(attempts) .. " is not a count"
  end
  if maxAttempts and maxAttempts ~= "" then
    local most = finite(maxAttempts)
    if not most or most < 1 or most ~= math.floor(most) then
      return "maxAttempts " .. maxAttempts .. " is not a positive integer"
    end
  end
  if createdAt and not finite(createdAt) then return "createdAt " .. createdAt .. " is not a number" end
  if runAt and not finite(runAt) then return "runAt " .. runAt .. " is not a number" end
  return nil
end

local lost = ARGV[6] == "[]" and {} or storeOutcomes(base, now, ARGV[5] == "1", ARGV[6])
local result = { -1, #lost }
for _, id in ipairs(lost) do table.insert(result, id) end
if redis.call("EXISTS", base .. KEY_PAUSED) == 1 then
  flushCounts(base)
  return cjson.encode(result)
end

local due = redis.call("ZRANGEBYSCORE", base .. KEY_DELAYED, "-inf", now, "LIMIT", 0, BOUND)
if #due > 0 then
  callEach("ZREM", base .. KEY_DELAYED, due)
  for _, member in ipairs(due) do
    local id = memberId(member)
    if stateOf(id) == "pending" then enqueue(base, id, now, "pending") end
  end
end

local expired = redis.call("ZRANGEBYSCORE", base .. KEY_ACTIVE, "-inf", now, "LIMIT", 0, BOUND)
if #expired > 0 then
  callEach("ZREM", base .. KEY_ACTIVE, expired)
  for _, id in ipairs(expired) do
    if stateOf(id) == "active" then
      local key = jobKey(base, id)
      redis.call("HSET", key, "state", "pending")
      redis.call("HDEL", key, "leaseOwner", "leaseExpiresAt")
      enqueue(base, id, now, "active")
    end
  end
end

-- Candidates: the first `limit` members of each name's ready set, merged by (score, member). A set's taken
-- members are always a prefix of it, so they leave it with one ZREMRANGEBYRANK.
local candidates = {}
for i = FIRST_NAME, #ARGV do
  local key = readyKey(base, ARGV[i])
  local top = redis.call("ZRANGE", key, 0, limit - 1, "WITHSCORES")
  for j = 1, #top, 2 do
    table.insert(candidates, { member = top[j], score = tonumber(top[j + 1]), key = key, name = ARGV[i] })
  end
end
if #ARGV > FIRST_NAME then
  table.sort(candidates, function(a, b)
    if a.score ~= b.score then return a.score < b.score end
    return a.member < b.member
  end)
end

local taken = {}
local leased = {}
local left = {}
local claimed = 0
local skipped = 0
for _, candidate in ipairs(candidates) do
  if claimed >= limit then break end
  taken[candidate.key] = (taken[candidate.key] or 0) + 1
  local id = memberId(candidate.member)
  local key = jobKey(base, id)
  local fields = readFields(key, "state", "name", "payload", "attempts", "maxAttempts", "createdAt", "runAt")
  local state = fields and fields[1]
  local problem = nil
  if not fields then
    problem = "not a hash"
  elseif state == "pending" then
    problem = claimProblem(fields)
  elseif state == nil then
    -- A vanished job leaves nothing to fail; fields on a job without a state mean damage.
    if redis.call("EXISTS", key) == 1 then problem = "it has no state" end
  elseif not JOB_STATES[state] then
    problem = "unknown state " .. state
  end
  -- A job in a ready set is counted as a pending job of its set's name, whatever its damaged record says now.
  if problem then quarantine(base, id, now, problem, candidate.member, "pending", candidate.name) end
  if state == "pending" and not problem then
    local attempt = tonumber(fields[4] or 0) + 1
    redis.call("HSET", key, "state", "active", "attempts", attempt, "startedAt", now, "leaseOwner", owner,
      "leaseExpiresAt", expires)
    table.insert(leased, expires)
    table.insert(leased, id)
    table.insert(left, candidate.member)
    move(fields[2], "pending", "active")
    table.insert(result, id)
    table.insert(result, fields[2])
    table.insert(result, fields[3])
    table.insert(result, attempt)
    table.insert(result, fields[5] or "")
    table.insert(result, fields[6] or "0")
    table.insert(result, fields[7] or "0")
    claimed = claimed + 1
  else
    skipped = skipped + 1
  end
end
for key, count in pairs(taken) do redis.call("ZREMRANGEBYRANK", key, 0, count - 1) end
callEach("ZADD", base .. KEY_ACTIVE, leased)
callEach("ZREM", base .. KEY_PENDING, left)
flushCounts(base)

if claimed >= limit then
  result[1] = -1
elseif skipped > 0 then
  result[1] = now
else
  result[1] = nextRunAt()
end
return cjson.encode(result)
