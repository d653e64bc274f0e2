--[[
  Records an instance's heartbeat, replacing its earlier one.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  the instance id: any text, kept as a hash field and sorted-set member (never part of a key name)
  ARGV[2]  when the record lapses unless the instance beats again (epoch ms)
  ARGV[3]  the record as JSON

  The instances hash maps id -> record; the instance-expiry sorted set holds the ids by lapse time, so lapsed
  records are found without reading every one. Returns 1.
]]
--! const KEY_INSTANCES, KEY_INSTANCE_EXPIRY
redis.call("HSET", KEYS[1] .. KEY_INSTANCES, ARGV[1], ARGV[3])
redis.call("ZADD", KEYS[1] .. KEY_INSTANCE_EXPIRY, ARGV[2], ARGV[1])
return 1
