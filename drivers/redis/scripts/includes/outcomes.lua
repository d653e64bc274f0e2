-- Records how attempts ended, each only if its owner still holds the job's lease (used by finish.lua, and by
-- claim.lua for the outcomes a claim carries). Needs the `jobs` include.
--
-- `encoded` is a JSON array of outcomes, each [tag, id, owner, error, runAt]: tag is Completed, Retry, Failed or
-- Released; error and runAt are "" where the tag has none. Completed and Failed end the job; Retry puts it back
-- to pending due at runAt with the error stored; Released puts it back at once with its original runAt and the
-- attempt not counted. Returns the ids whose lease was not held (those outcomes are ignored). The caller
-- flushes the counters (flushCounts).
local function storeOutcomes(base, now, removeOnComplete, encoded)
  local lost = {}
  local woken = {}
  local removed = {}
  for _, outcome in ipairs(cjson.decode(encoded)) do
    local tag, id, owner, err, runAt = outcome[1], outcome[2], outcome[3], outcome[4], outcome[5]
    local key = jobKey(base, id)
    local fields = readFields(key, "state", "leaseOwner", "uniqueKey", "name")
    if not fields or fields[1] ~= "active" or fields[2] ~= owner then
      table.insert(lost, id)
    elseif tag == "Completed" and removeOnComplete then
      releaseUniqueKey(base, id, fields[3])
      count("active", fields[4], -1)
      table.insert(removed, id)
    elseif tag == "Completed" then
      leave(base, id, "completed", now, fields[3], fields[4], "active")
    elseif tag == "Failed" then
      redis.call("HSET", key, "lastError", err)
      leave(base, id, "failed", now, fields[3], fields[4], "active")
    else
      if tag == "Retry" then
        redis.call("HSET", key, "state", "pending", "lastError", err, "runAt", runAt)
      else
        local attempts = tonumber(redis.call("HGET", key, "attempts")) or 1
        redis.call("HSET", key, "state", "pending", "attempts", math.max(attempts - 1, 0))
      end
      redis.call("HDEL", key, "leaseOwner", "leaseExpiresAt")
      redis.call("ZREM", base .. KEY_ACTIVE, id)
      local name = enqueue(base, id, now, "active")
      if name then woken[name] = true end
    end
  end

  -- Completed jobs that are not kept leave in two calls for the whole batch.
  if #removed > 0 then
    callEach("ZREM", base .. KEY_ACTIVE, removed)
    local keys = {}
    for _, id in ipairs(removed) do table.insert(keys, jobKey(base, id)) end
    callEach("DEL", nil, keys)
  end
  for name in pairs(woken) do redis.call("PUBLISH", base .. CHANNEL_WAKEUP, name) end
  return lost
end
