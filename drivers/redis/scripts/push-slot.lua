--[[
  Pushes the job of one schedule slot unless the schedule already took this slot or a later one, or was
  removed, and records the slot as the schedule's last, in one step.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  KEYS[2]  the hash of each schedule's last slot, e.g. "{myapp}:schedules"
  ARGV[1]  now (epoch ms)
  ARGV[2]  the schedule key: any text, kept as a hash field (never part of a key name)
  ARGV[3]  the slot (epoch ms)
  ARGV[4]  the slot's job as JSON: { id, name, payload, priority, runAt, maxAttempts? }

  Returns 1 when the slot was taken (its job inserted, or already present under its id), 0 when an equal or
  later slot was recorded first, or the schedule is removed (a "removed:<key>" field in the schedule-info
  hash, until it is registered again): then nothing is written. The record outlives the job, so a slot whose
  job was removed is still refused. Taking a slot also records when ("pushed:<key>" in schedule-info).
]]
--! include jobs
--! const KEY_SCHEDULE_INFO
local base = KEYS[1]
local now = tonumber(ARGV[1])
local slot = tonumber(ARGV[3])
local info = base .. KEY_SCHEDULE_INFO
if redis.call("HEXISTS", info, "removed:" .. ARGV[2]) == 1 then return 0 end
local last = finite(redis.call("HGET", KEYS[2], ARGV[2]))
if last and last >= slot then return 0 end
redis.call("HSET", KEYS[2], ARGV[2], ARGV[3])
redis.call("HSET", info, "pushed:" .. ARGV[2], ARGV[1])

local job = cjson.decode(ARGV[4])
local key = jobKey(base, job.id)
if redis.call("EXISTS", key) == 1 then return 1 end
local seq = redis.call("INCR", base .. KEY_SEQ)
local fields = { "name", job.name, "payload", job.payload, "state", "pending", "priority", job.priority,
  "runAt", job.runAt, "attempts", 0, "createdAt", now, "member", memberOf(seq, job.id) }
if job.maxAttempts then
  table.insert(fields, "maxAttempts")
  table.insert(fields, job.maxAttempts)
end
redis.call("HSET", key, unpack(fields))
local name = enqueue(base, job.id, now, nil)
flushCounts(base)
if name then
  redis.call("SADD", base .. KEY_NAMES, name)
  redis.call("PUBLISH", base .. CHANNEL_WAKEUP, name)
end
return 1
