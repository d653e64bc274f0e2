--[[
  Records how attempts ended, each only if its owner still holds the job's lease.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  now (epoch ms)
  ARGV[2]  "1" to delete completed jobs instead of keeping them
  ARGV[3]  the outcomes as a JSON array, each [tag, id, owner, error, runAt]: tag is Completed, Retry, Failed
           or Released; error and runAt are "" where the tag has none

  Completed and Failed end the job; Retry puts it back to pending due at runAt with the error stored;
  Released puts it back at once with its original runAt and the attempt not counted.
  Returns the ids whose lease was not held (those outcomes are ignored).
]]
--! include jobs
--! include outcomes
local lost = storeOutcomes(KEYS[1], tonumber(ARGV[1]), ARGV[2] == "1", ARGV[3])
flushCounts(KEYS[1])
return lost
