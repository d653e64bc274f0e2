--[[
  Records how attempts ended, each only if its owner still holds the job's lease.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  now (epoch ms)
  ARGV[2]  "1" to delete completed jobs instead of keeping them
  ARGV[3..] outcomes, five values each: tag (Completed | Retry | Failed | Released), id, owner, error, runAt
            (error and runAt are "" where the tag has none)

  Completed and Failed end the job; Retry puts it back to pending due at runAt with the error stored;
  Released puts it back at once with its original runAt and the attempt not counted.
  Returns the ids whose lease was not held (those outcomes are ignored).
]]
--! include jobs
local base = KEYS[1]
local now = tonumber(ARGV[1])
local removeOnComplete = ARGV[2] == "1"
local lost = {}
local woken = {}

for i = 3, #ARGV, 5 do
  local tag, id, owner, err, runAt = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local key = jobKey(base, id)
  if not holds(base, id, owner) then
    table.insert(lost, id)
  elseif tag == "Completed" and removeOnComplete then
    releaseUniqueKey(base, id)
    redis.call("ZREM", base .. "active", id)
    redis.call("DEL", key)
  elseif tag == "Completed" then
    leave(base, id, "completed", now)
  elseif tag == "Failed" then
    redis.call("HSET", key, "lastError", err)
    leave(base, id, "failed", now)
  else
    if tag == "Retry" then
      redis.call("HSET", key, "lastError", err, "runAt", runAt)
    else
      redis.call("HINCRBY", key, "attempts", -1)
    end
    redis.call("HSET", key, "state", "pending")
    redis.call("HDEL", key, "leaseOwner", "leaseExpiresAt")
    redis.call("ZREM", base .. "active", id)
    woken[enqueue(base, id, now)] = true
  end
end

for name in pairs(woken) do redis.call("PUBLISH", base .. "wakeup", name) end
return lost
