--[[
  Deletes an instance's record (it stopped); nothing happens when there is none.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  the instance id

  Returns 1.
]]
--! const KEY_INSTANCES, KEY_INSTANCE_EXPIRY
redis.call("HDEL", KEYS[1] .. KEY_INSTANCES, ARGV[1])
redis.call("ZREM", KEYS[1] .. KEY_INSTANCE_EXPIRY, ARGV[1])
return 1
