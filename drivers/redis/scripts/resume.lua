--[[
  Ends a pause and wakes every worker (ANY_JOB on the wake-up channel).

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"

  Returns 1.
]]
--! const KEY_PAUSED, CHANNEL_WAKEUP, ANY_JOB
redis.call("DEL", KEYS[1] .. KEY_PAUSED)
redis.call("PUBLISH", KEYS[1] .. CHANNEL_WAKEUP, ANY_JOB)
return 1
