-- Walks one state's jobs in listing order, a bounded number of index entries per call (list.lua,
-- retry-all.lua, cancel-all.lua). Needs the `jobs` include.
--
-- A listing is a state's index in state-time order: the pending index (by run time), a finished state's set
-- (by finish time), or the active jobs, sorted here by start time (their set is by lease expiry, and they are
-- few). Equal times are ordered by member, ascending bytes as a sorted set orders them: the push-ordered
-- member for pending and active jobs, the id for finished ones. A position is { score, member } with the
-- score as Redis wrote it; every walk continues strictly after a position, so a page neither repeats nor
-- skips an entry whatever joined or left the index in between.

-- The most index entries one call examines, and the most read from Redis at once.
local SCAN_BUDGET = 2000
local SCAN_CHUNK = 500

-- a before b in bytes, as a sorted set orders members (Lua's `<` on strings follows the server's locale).
local function bytesBefore(a, b)
  if a == b then return false end
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- The rank, in listing order, of the first entry of sorted set `key` after `position`. Entries of the same
-- score sit together and are ordered by member: a binary search over their ranks finds the place even when
-- the position's own member has left the set.
local function rankAfter(key, descending, position)
  local score, member = position[1], position[2]
  local lo, hi, range
  if descending then
    lo = redis.call("ZCOUNT", key, "(" .. score, "+inf")
    hi = redis.call("ZCOUNT", key, score, "+inf")
    range = "ZREVRANGE"
  else
    lo = redis.call("ZCOUNT", key, "-inf", "(" .. score)
    hi = redis.call("ZCOUNT", key, "-inf", score)
    range = "ZRANGE"
  end
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local probe = redis.call(range, key, mid, mid)[1]
    local beyond
    if descending then beyond = bytesBefore(probe, member) else beyond = bytesBefore(member, probe) end
    if beyond then hi = mid else lo = mid + 1 end
  end
  return lo
end

-- A source of sorted set `key`'s entries in listing order within state times [from, to) (strings, nil for
-- no bound): called with the last position read (nil at first) and how many are wanted, it returns up to that
-- many entries after it, each { score, member, id }.
local function zsetSource(key, descending, from, to, idOf)
  -- Where the walk ends: the lowest time going down, the first time past the range going up.
  local bound = tonumber(to)
  if descending then bound = tonumber(from) end
  return function(position, wanted)
    local start = 0
    if descending and to then start = redis.call("ZCOUNT", key, to, "+inf") end
    if not descending and from then start = redis.call("ZCOUNT", key, "-inf", "(" .. from) end
    if position then start = math.max(start, rankAfter(key, descending, position)) end
    local reply = redis.call(descending and "ZREVRANGE" or "ZRANGE", key, start, start + wanted - 1, "WITHSCORES")
    local entries = {}
    for i = 1, #reply, 2 do
      local time = tonumber(reply[i + 1])
      if bound and ((descending and time < bound) or (not descending and time >= bound)) then break end
      table.insert(entries, { reply[i + 1], reply[i], idOf(reply[i]) })
    end
    return entries
  end
end

local function memberIsId(member) return member end

-- Whether entry `a` comes before `b` in ascending listing order.
local function entryBefore(a, b)
  if a.time ~= b.time then return a.time < b.time end
  return bytesBefore(a[2], b[2])
end

-- A source over the active jobs, read at once and sorted by start time (a record without one sorts by its
-- run time, as its state time falls back to it), within [from, to) and after `after`.
local function activeSource(base, descending, from, to, after)
  local low, high = tonumber(from), tonumber(to)
  local entries = {}
  for _, id in ipairs(redis.call("ZRANGE", base .. KEY_ACTIVE, 0, -1)) do
    local fields = readFields(jobKey(base, id), "startedAt", "runAt", "member")
    if fields then
      local time = finite(fields[1]) or finite(fields[2]) or 0
      if (not low or time >= low) and (not high or time < high) then
        table.insert(entries, { string.format("%.17g", time), fields[3] or id, id, time = time })
      end
    end
  end
  if descending then
    table.sort(entries, function(a, b) return entryBefore(b, a) end)
  else
    table.sort(entries, entryBefore)
  end
  local first = 1
  if after then
    local mark = { after[1], after[2], time = tonumber(after[1]) }
    while entries[first] and not (descending and entryBefore(entries[first], mark) or
      (not descending and entryBefore(mark, entries[first]))) do
      first = first + 1
    end
  end
  return function(_, wanted)
    local chunk = {}
    for i = first, math.min(#entries, first + wanted - 1) do table.insert(chunk, entries[i]) end
    first = first + #chunk
    return chunk
  end
end

-- What ARGV holds from index `first` on, for every scanning script: state, order ("newest" or "oldest"),
-- limit, from, to, search ("" for none of these three), the position to continue after (score and member,
-- "" for the start), then the job names to keep (none: every name).
local function scanRequest(first)
  local function optional(i)
    local value = ARGV[first + i]
    if value == "" then return nil end
    return value
  end
  local names = nil
  for i = first + 8, #ARGV do
    names = names or {}
    names[ARGV[i]] = true
  end
  local after = nil
  if ARGV[first + 6] ~= "" then after = { ARGV[first + 6], ARGV[first + 7] } end
  return {
    state = ARGV[first],
    descending = ARGV[first + 1] == "newest",
    limit = tonumber(ARGV[first + 2]),
    from = optional(3),
    to = optional(4),
    search = optional(5),
    after = after,
    names = names
  }
end

-- The value of `field` in a flat HGETALL reply, nil when absent.
local function fieldOf(flat, field)
  for i = 1, #flat, 2 do
    if flat[i] == field then return flat[i + 1] end
  end
  return nil
end

-- Whether a job's record matches the request: its state (the index may hold an entry its job has just left
-- behind), name and text. With `wantHash` and no name or text filter, only the state decides: the whole record
-- is read at once and kept as the entry's `hash` for the caller.
local function matcher(base, request, wantHash)
  local state, names, search = request.state, request.names, request.search
  return function(entry)
    local id = entry[3]
    if wantHash and not names and not search then
      local flat = redis.pcall("HGETALL", jobKey(base, id))
      if flat.err or fieldOf(flat, "state") ~= state then return false end
      entry.hash = flat
      return true
    end
    local fields
    if search then
      fields = readFields(jobKey(base, id), "state", "name", "payload", "uniqueKey")
    else
      fields = readFields(jobKey(base, id), "state", "name")
    end
    if not fields or fields[1] ~= state then return false end
    if names and not names[fields[2] or ""] then return false end
    if not search then return true end
    return string.find(id, search, 1, true) ~= nil or
      (fields[3] ~= nil and string.find(fields[3], search, 1, true) ~= nil) or
      (fields[4] ~= nil and string.find(fields[4], search, 1, true) ~= nil)
  end
end

-- The jobs a request matches, in listing order: up to `limit` entries, after examining at most SCAN_BUDGET.
-- Also returns the position to continue after: the last entry consumed (taken, or examined and refused),
-- nil when no entry after the taken ones matches. Reads only: callers change the jobs afterwards. `wantHash`:
-- the caller reads the taken jobs' whole records, so they may come with them (see matcher).
local function scanJobs(base, request, wantHash)
  local source
  if request.state == "active" then
    source = activeSource(base, request.descending, request.from, request.to, request.after)
  elseif request.state == "pending" then
    source = zsetSource(base .. KEY_PENDING, request.descending, request.from, request.to, memberId)
  elseif request.state == "completed" or request.state == "failed" or request.state == "cancelled" then
    source = zsetSource(base .. request.state, request.descending, request.from, request.to, memberIsId)
  else
    return {}, nil
  end
  local matches = matcher(base, request, wantHash)
  local limit = request.limit
  local taken, examined, position = {}, 0, request.after
  local size = math.max(limit + 1, 16)
  while examined < SCAN_BUDGET do
    local wanted = math.min(size, SCAN_CHUNK, SCAN_BUDGET - examined)
    local chunk = source(position, wanted)
    for _, entry in ipairs(chunk) do
      examined = examined + 1
      if matches(entry) then
        -- One more match than fits: the next call starts with it.
        if #taken == limit then return taken, position end
        table.insert(taken, entry)
      end
      position = entry
    end
    if #chunk < wanted then return taken, nil end
    size = size * 2
  end
  return taken, position
end
