--[[
  Deletes jobs that are not active, each with its unique key and its place in every set and counter.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1..] job ids

  Returns per id, in order: "removed", "active" (running: kept) or "not-found".
]]
--! include jobs
--! include changes
local base = KEYS[1]
local results = {}
for i = 1, #ARGV do table.insert(results, removeJob(base, ARGV[i])) end
flushCounts(base)
return results
