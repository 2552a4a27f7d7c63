"""The Lua scripts of the Redis session store (sessions.py explains the keys they work on).

Each operation on one session is one script on the session's keys (one hash tag, one Cluster
slot); the index scripts work on the global indexes in a slot of their own. Every script
starts with the helpers of `_LIB`.
"""

from __future__ import annotations

__all__ = ["SCRIPTS"]

_LIB = """  -- helpers every script starts with
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function ms(n) return string.format('%d', n) end
local RANGE = '^(%d+):(%d+):(%d+)$'  -- a result; another format (an older Theke's) has expired
local function push(seen, inbox, id, body, now, result_ms, keep_ms, session_ms)
  local until_ = redis.call('HGET', seen, id)
  if until_ and tonumber(until_) > now then return 0 end
  local all = redis.call('HGETALL', seen)
  for i = 1, #all, 2 do
    if tonumber(all[i + 1]) <= now then redis.call('HDEL', seen, all[i]) end
  end
  redis.call('HSET', seen, id, ms(now + tonumber(result_ms)))
  redis.call('PEXPIRE', seen, keep_ms)
  redis.call('RPUSH', inbox, body)
  redis.call('PEXPIRE', inbox, session_ms)
  return 1
end
"""

# KEYS seen, inbox; ARGV id, body, result_ms, keep_ms, session_ms
ENQUEUE = """
return push(KEYS[1], KEYS[2], ARGV[1], ARGV[2], now_ms(), ARGV[3], ARGV[4], ARGV[5])
"""

# KEYS lease, state, profile, inbox; ARGV token, lease_ms -> false (leased elsewhere or
# nothing waiting: no lease taken) or {first inbox item, state, profile}
CLAIM = """
local head = redis.call('LINDEX', KEYS[4], 0)
if not head or not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return {head, redis.call('GET', KEYS[2]), redis.call('GET', KEYS[3])}
"""

# KEYS lease, state, profile, inbox, log, results, timers, seen
# ARGV token, claimed item id, lease_ms, item_id, state, profile, session_ms, profile_ms,
#      result_ms, keep_ms, history_ms, log_length, n, n entries (JSON objects without seq),
#      then timer pairs (name, due or '')
# -> 0 (the lease was lost or the item consumed: nothing written), 1 (done, lease released)
#    or {seq, next inbox item} (done, lease renewed)
COMMIT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local head = redis.call('LINDEX', KEYS[4], 0)
if not head or cjson.decode(head).id ~= ARGV[2] then return 0 end
redis.call('LPOP', KEYS[4])
local now, session_ms, n = now_ms(), ARGV[7], tonumber(ARGV[13])
local seq, entries = tonumber(string.match(redis.call('GET', KEYS[2]) or '0|', '^(%d+)|')), {}
local first = seq + 1
for i = 1, n do
  seq = seq + 1
  local e = ARGV[13 + i]
  if e == '{}' then e = '{"seq":' .. ms(seq) .. '}'
  else e = '{"seq":' .. ms(seq) .. ',' .. string.sub(e, 2) end
  entries[i] = e
end
if n > 0 then
  redis.call('RPUSH', KEYS[5], unpack(entries))
  redis.call('LTRIM', KEYS[5], -tonumber(ARGV[12]), -1)
end
redis.call('SET', KEYS[2], ms(seq) .. '|' .. ARGV[5])
if ARGV[6] == '{}' then redis.call('DEL', KEYS[3])  -- nothing remembered (or all forgotten)
else redis.call('SET', KEYS[3], ARGV[6], 'PX', ARGV[8]) end
local all = redis.call('HGETALL', KEYS[6])
for i = 1, #all, 2 do
  local _, _, until_ = string.match(all[i + 1], RANGE)
  if not until_ or tonumber(until_) <= now then redis.call('HDEL', KEYS[6], all[i]) end
end
local range = ms(first) .. ':' .. ms(seq) .. ':' .. ms(now + tonumber(ARGV[9]))
redis.call('HSET', KEYS[6], ARGV[4], range)
for i = 14 + n, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('ZREM', KEYS[7], ARGV[i])
  else redis.call('ZADD', KEYS[7], ARGV[i + 1], ARGV[i]) end
end
for _, key in ipairs({KEYS[2], KEYS[4], KEYS[7]}) do
  redis.call('PEXPIRE', key, session_ms)
end
redis.call('PEXPIRE', KEYS[5], ARGV[11])
redis.call('PEXPIRE', KEYS[6], ARGV[10])
redis.call('PEXPIRE', KEYS[8], ARGV[10])
local next_ = redis.call('LINDEX', KEYS[4], 0)
if not next_ then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {seq, next_}
"""

# KEYS lease; ARGV token
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS results, log; ARGV item_id -> false (unknown) or the entries of its range still logged
RESULT = """
local first, last, until_ = string.match(redis.call('HGET', KEYS[1], ARGV[1]) or '', RANGE)
if not until_ or tonumber(until_) <= now_ms() then return false end
local head = redis.call('LINDEX', KEYS[2], 0)
if not head then return {} end
local oldest = tonumber(string.match(head, '^{"seq":(%d+)'))
local from, to = math.max(tonumber(first) - oldest, 0), tonumber(last) - oldest
if to < from then return {} end
return redis.call('LRANGE', KEYS[2], from, to)
"""

# KEYS answers; ARGV request id, answer, result_ms, keep_ms (expired answers are dropped)
KEEP_ANSWER = """
local now = now_ms()
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local until_ = string.match(all[i + 1], '^(%d+)|')
  if not until_ or tonumber(until_) <= now then redis.call('HDEL', KEYS[1], all[i]) end
end
redis.call('HSET', KEYS[1], ARGV[1], ms(now + tonumber(ARGV[3])) .. '|' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 0
"""

# KEYS answers; ARGV request id -> false (none kept, or expired) or the answer
KEPT_ANSWER = """
local kept = redis.call('HGET', KEYS[1], ARGV[1]) or ''
local bar = string.find(kept, '|', 1, true)
local until_ = bar and tonumber(string.sub(kept, 1, bar - 1))
if not until_ or until_ <= now_ms() then return false end
return string.sub(kept, bar + 1)
"""

# KEYS state, profile -> {state or false, profile or false}: read only, takes no lease
PEEK = """
return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}
"""

# KEYS timers, seen, inbox; ARGV now, received_at, max, result_ms, keep_ms, session_ms
FIRE = """
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[3])
local fired = 0
for i = 1, #due, 2 do
  local name = due[i]
  redis.call('ZREM', KEYS[1], name)
  local id = 'timer:' .. name .. ':' .. string.format('%.3f', tonumber(due[i + 1]))
  local body = '{"id":' .. cjson.encode(id) .. ',"received_at":' .. cjson.encode(ARGV[2])
    .. ',"kind":"timer","data":{"name":' .. cjson.encode(name) .. '}}'
  fired = fired + push(KEYS[2], KEYS[3], id, body, now, ARGV[4], ARGV[5], ARGV[6])
end
return {fired, redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] or ''}
"""

# The global index scripts (one slot, no session keys).
# KEYS pending, counter, timers, versions; ARGV pairs (session, due): '' announces items waiting
# in the session's inbox, a due its timers (the index keeps the earliest); one script for both,
# so a round trip that announces runs one script before its other scripts and one after
ANNOUNCE = """
for i = 1, #ARGV, 2 do
  local number = redis.call('INCR', KEYS[2])
  if ARGV[i + 1] == '' then
    redis.call('ZADD', KEYS[1], number, ARGV[i])
  else
    redis.call('HSET', KEYS[4], ARGV[i], number)
    redis.call('ZADD', KEYS[3], 'LT', ARGV[i + 1], ARGV[i])
  end
end
return 0
"""

# KEYS pending; ARGV pairs (session, announcement number read)
SETTLE_PENDING = """
for i = 1, #ARGV, 2 do
  if tonumber(redis.call('ZSCORE', KEYS[1], ARGV[i]) or '-1') == tonumber(ARGV[i + 1]) then
    redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return 0
"""

# KEYS timers, versions, counter; ARGV pairs (session, due): a timer index's own (bookings.py)
ANNOUNCE_TIMER = """
for i = 1, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], redis.call('INCR', KEYS[3]))
  redis.call('ZADD', KEYS[1], 'LT', ARGV[i + 1], ARGV[i])
end
return 0
"""

# KEYS timers, versions; ARGV now, limit -> flat (session, version or '')
DUE_TIMERS = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local out = {}
if #due == 0 then return out end
local versions = redis.call('HMGET', KEYS[2], unpack(due))
for i = 1, #due do out[2 * i - 1] = due[i]; out[2 * i] = versions[i] or '' end
return out
"""

# KEYS timers, versions; ARGV triples (session, version read, next due or '')
SETTLE_TIMERS = """
for i = 1, #ARGV, 3 do
  local s, nxt = ARGV[i], ARGV[i + 2]
  if (redis.call('HGET', KEYS[2], s) or '') == ARGV[i + 1] then
    if nxt == '' then redis.call('ZREM', KEYS[1], s); redis.call('HDEL', KEYS[2], s)
    else redis.call('ZADD', KEYS[1], nxt, s) end
  elseif nxt ~= '' then redis.call('ZADD', KEYS[1], 'LT', nxt, s) end
end
return 0
"""

_IN_LOAD_ORDER = (
    "ANNOUNCE ANNOUNCE_TIMER SETTLE_PENDING DUE_TIMERS SETTLE_TIMERS ENQUEUE CLAIM"
    " COMMIT RELEASE RESULT FIRE KEEP_ANSWER KEPT_ANSWER PEEK"
)
"""Loaded in this order after a restart: the index scripts before the session scripts they
announce."""
SCRIPTS = {name: _LIB + globals()[name] for name in _IN_LOAD_ORDER.split()}
"""Every script by name, each with the helpers it starts with."""
