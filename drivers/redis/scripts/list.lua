--[[
  One page of the jobs of one state that match a filter, in state-time order (see includes/scan.lua).

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  state: pending, active, completed, failed or cancelled
  ARGV[2]  order: "newest" (latest state time first) or "oldest"
  ARGV[3]  limit: the most jobs to return
  ARGV[4]  from: only state times at or after this (epoch ms; "" for no bound)
  ARGV[5]  to: only state times strictly before this (epoch ms; "" for no bound)
  ARGV[6]  search: only jobs whose id, payload or unique key contains this text ("" for every job)
  ARGV[7]  the score of the position to continue after ("" for the first page)
  ARGV[8]  the member of that position
  ARGV[9..] job names to keep (none: every name)

  Examines at most 2,000 index entries, so a page may hold fewer than `limit` jobs while more may follow.
  Returns: the score and member of the position the next page continues after ("", "" when no job follows),
  then per job its id and its hash as field, value pairs.
]]
--! include jobs
--! include scan
local base = KEYS[1]
local taken, position = scanJobs(base, scanRequest(1), true)
local reply = { position and position[1] or "", position and position[2] or "" }
for _, entry in ipairs(taken) do
  table.insert(reply, entry[3])
  table.insert(reply, entry.hash or redis.call("HGETALL", jobKey(base, entry[3])))
end
return reply
