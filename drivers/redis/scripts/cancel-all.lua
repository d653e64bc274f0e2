--[[
  Cancels the pending or active jobs that match a filter, oldest state time first, in a bounded batch, each as
  cancel.lua does (an active job's lease is revoked).

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  now (epoch ms)
  ARGV[2..] the filter, limit and position as list.lua's ARGV[1..] (state pending or active, order "oldest")

  Changes at most `limit` jobs, examining at most 2,000 index entries.
  Returns: how many jobs changed, then the score and member of the position the next call continues after
  ("", "" when no matching job is left).
]]
--! include jobs
--! include scan
--! include changes
local base = KEYS[1]
local now = tonumber(ARGV[1])
local request = scanRequest(2)
if request.state ~= "pending" and request.state ~= "active" then return { 0, "", "" } end
local taken, position = scanJobs(base, request)
local changed = 0
for _, entry in ipairs(taken) do
  if cancelJob(base, entry[3], now) == "cancelled" then changed = changed + 1 end
end
flushCounts(base)
return { changed, position and position[1] or "", position and position[2] or "" }
