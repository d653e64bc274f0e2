--[[
  Extends the leases an owner still holds.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  now (epoch ms)
  ARGV[2]  lease owner
  ARGV[3]  lease duration (ms)
  ARGV[4..] job ids

  Returns the ids whose lease the owner no longer holds (expired and re-claimed, cancelled, removed).
]]
--! include jobs
local base = KEYS[1]
local expires = tonumber(ARGV[1]) + tonumber(ARGV[3])
local owner = ARGV[2]
local lost = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  if holds(base, id, owner) then
    redis.call("HSET", jobKey(base, id), "leaseExpiresAt", expires)
    redis.call("ZADD", base .. KEY_ACTIVE, expires, id)
  else
    table.insert(lost, id)
  end
end
return lost
