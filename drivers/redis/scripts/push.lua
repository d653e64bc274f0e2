--[[
  Inserts jobs atomically and wakes workers.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:" (all keys of the queue share its hash tag)
  ARGV[1]  now (epoch ms)
  ARGV[2]  JSON array of jobs: { id, generated?, name, payload, priority, runAt, maxAttempts?, uniqueKey? }
           (`generated` is true when the client made up the id for this push; otherwise the caller chose it)

  Returns a flat array: id1, inserted1 (1 or 0), id2, inserted2, ...
  A job with a chosen id that exists (in any state) is not inserted; nor is one whose unique key is held by a
  pending or active job: the existing id comes back with inserted 0. A generated id that exists was written
  by this very push, run before (a client re-sends a command whose reply a broken connection lost): nothing
  is written and it comes back with inserted 1, so running the script twice leaves one job.

  A job name is published on the wake-up channel only when the push can change what a sleeping worker
  waits for: a ready job into an empty ready set (a worker whose last claim came back short took every
  ready job of its names, so a non-empty set means a wake-up is already on its way), or a delayed job
  earlier than every other (workers sleep until the earliest delayed job at the latest).
]]
--! include jobs
local base = KEYS[1]
local now = tonumber(ARGV[1])
local jobs = cjson.decode(ARGV[2])
local result = {}
local seen = {}
local woken = {}
local readyWasEmpty = {}
local indexed = {}
local earliest = redis.call("ZRANGE", base .. KEY_DELAYED, 0, 0, "WITHSCORES")[2]
earliest = earliest and tonumber(earliest)

for _, job in ipairs(jobs) do
  local id = job.id
  local existing = nil
  if redis.call("EXISTS", jobKey(base, id)) == 1 then existing = id end
  if not existing and job.uniqueKey then existing = redis.call("HGET", base .. KEY_UNIQUE, job.uniqueKey) end
  if existing then
    table.insert(result, existing)
    table.insert(result, (job.generated and existing == id) and 1 or 0)
  else
    local seq = redis.call("INCR", base .. KEY_SEQ)
    local member = memberOf(seq, id)
    local fields = { "name", job.name, "payload", job.payload, "state", "pending", "priority", job.priority,
      "runAt", job.runAt, "attempts", 0, "createdAt", now, "member", member }
    if job.maxAttempts then
      table.insert(fields, "maxAttempts")
      table.insert(fields, job.maxAttempts)
    end
    if job.uniqueKey then
      table.insert(fields, "uniqueKey")
      table.insert(fields, job.uniqueKey)
      redis.call("HSET", base .. KEY_UNIQUE, job.uniqueKey, id)
    end
    redis.call("HSET", jobKey(base, id), unpack(fields))
    table.insert(indexed, job.runAt)
    table.insert(indexed, member)
    count("pending", job.name, 1)
    -- The job was just written from validated input: file it without reading it back.
    if job.runAt <= now then
      local key = readyKey(base, job.name)
      if readyWasEmpty[job.name] == nil then readyWasEmpty[job.name] = redis.call("EXISTS", key) == 0 end
      redis.call("ZADD", key, readyScore(job.priority, job.runAt), member)
      if readyWasEmpty[job.name] then woken[job.name] = true end
    else
      redis.call("ZADD", base .. KEY_DELAYED, job.runAt, member)
      if earliest == nil or job.runAt < earliest then
        earliest = job.runAt
        woken[job.name] = true
      end
    end
    seen[job.name] = true
    table.insert(result, id)
    table.insert(result, 1)
  end
end

for name in pairs(seen) do redis.call("SADD", base .. KEY_NAMES, name) end
callEach("ZADD", base .. KEY_PENDING, indexed)
flushCounts(base)
for name in pairs(woken) do redis.call("PUBLISH", base .. CHANNEL_WAKEUP, name) end
return result
