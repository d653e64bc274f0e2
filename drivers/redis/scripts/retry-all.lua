--[[
  Moves the failed or cancelled jobs that match a filter back to pending, oldest finish first, in a bounded
  batch, each as retry.lua does (due now, attempts reset), and wakes workers.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  now (epoch ms)
  ARGV[2..] the filter, limit and position as list.lua's ARGV[1..] (state failed or cancelled, order "oldest")

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
if request.state ~= "failed" and request.state ~= "cancelled" then return { 0, "", "" } end
local taken, position = scanJobs(base, request)
local changed = 0
local woken = {}
for _, entry in ipairs(taken) do
  local name = retryJob(base, entry[3], now)
  if name then
    changed = changed + 1
    woken[name] = true
  end
end
flushCounts(base)
for name in pairs(woken) do redis.call("PUBLISH", base .. CHANNEL_WAKEUP, name) end
return { changed, position and position[1] or "", position and position[2] or "" }
