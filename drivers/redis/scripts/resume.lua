--[[
  Ends a pause and wakes every worker.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
]]
redis.call("DEL", KEYS[1] .. "paused")
redis.call("PUBLISH", KEYS[1] .. "wakeup", "*")
return 1
