--[[
  Reads the instances whose heartbeat has not lapsed, deleting (at most 1,000 of) the lapsed ones.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  now (epoch ms): a record lapses when its expiry is at or before it

  Returns the records left (JSON, any order).
]]
--! const KEY_INSTANCES, KEY_INSTANCE_EXPIRY
local records = KEYS[1] .. KEY_INSTANCES
local expiry = KEYS[1] .. KEY_INSTANCE_EXPIRY
local lapsed = redis.call("ZRANGEBYSCORE", expiry, "-inf", ARGV[1], "LIMIT", 0, 1000)
if #lapsed > 0 then
  redis.call("HDEL", records, unpack(lapsed))
  redis.call("ZREM", expiry, unpack(lapsed))
end
return redis.call("HVALS", records)
