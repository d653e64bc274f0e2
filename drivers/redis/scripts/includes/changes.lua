-- The changes made to one job on request rather than by a worker: cancel, retry and remove (cancel.lua,
-- retry.lua, remove.lua, and the bulk cancel-all.lua and retry-all.lua). Needs the `jobs` include; the caller
-- flushes the counters (flushCounts).

local FINISHED_STATES = { completed = true, failed = true, cancelled = true }

-- Cancels a pending or active job; an active job's lease is revoked with it. Returns "cancelled", "finished"
-- (already completed, failed or cancelled) or "not-found".
local function cancelJob(base, id, now)
  local fields = readFields(jobKey(base, id), "state", "name", "member", "uniqueKey")
  local state = fields and fields[1]
  if not state then return "not-found" end
  if state ~= "pending" and state ~= "active" then return "finished" end
  unqueue(base, id, fields[2], fields[3])
  leave(base, id, "cancelled", now, fields[4], fields[2], state)
  return "cancelled"
end

-- Moves a failed or cancelled job back to pending, due now, with its attempts reset; its unique key comes
-- back only if no live job holds it. Returns its name, or nil when it was neither failed nor cancelled (or
-- its record turned out damaged: it is then failed with the reason).
local function retryJob(base, id, now)
  local key = jobKey(base, id)
  local fields = readFields(key, "state", "uniqueKey")
  local state, uniqueKey = fields and fields[1], fields and fields[2]
  if state ~= "failed" and state ~= "cancelled" then return nil end
  redis.call("ZREM", base .. state, id)
  redis.call("HSET", key, "state", "pending", "attempts", 0, "runAt", now)
  redis.call("HDEL", key, "finishedAt")
  if uniqueKey then redis.call("HSETNX", base .. KEY_UNIQUE, uniqueKey, id) end
  return enqueue(base, id, now, state)
end

-- Deletes a job that is not active, with its unique key and its place in every set. Returns "removed",
-- "active" (kept) or "not-found".
local function removeJob(base, id)
  local key = jobKey(base, id)
  local fields = readFields(key, "state", "name", "member", "uniqueKey")
  local state = fields and fields[1]
  if not state then return "not-found" end
  if state == "active" then return "active" end
  unqueue(base, id, fields[2], fields[3])
  if FINISHED_STATES[state] then redis.call("ZREM", base .. state, id) end
  releaseUniqueKey(base, id, fields[4])
  count(state, fields[2], -1)
  redis.call("DEL", key)
  return "removed"
end
