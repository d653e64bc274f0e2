--[[
  Cancels a pending or active job. An active job's lease is revoked with it, so its worker's next renew
  reports the job lost.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  job id
  ARGV[2]  now (epoch ms)

  Returns "cancelled", "finished" (already completed, failed or cancelled) or "not-found".
]]
--! include jobs
local base = KEYS[1]
local id = ARGV[1]
local fields = readFields(jobKey(base, id), "state", "name", "member", "uniqueKey")
local state = fields and fields[1]
if not state then return "not-found" end
if state ~= "pending" and state ~= "active" then return "finished" end
unqueue(base, id, fields[2], fields[3])
leave(base, id, "cancelled", tonumber(ARGV[2]), fields[4])
return "cancelled"
