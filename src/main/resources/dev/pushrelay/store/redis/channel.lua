#!lua
-- One channel's operations, each run atomically by Redis (protocol.md §13).
-- KEYS: 1 channel hash, 2 message stream, 3 waiter counts (node -> count), 4 epoch (one per
-- slot on Redis Cluster); every key of a channel carries the hash tag {channel}
-- ARGV: 1 op, 2 node channel prefix, 3 notification channel, then the op's own.
-- Channel hash fields: g generation, lt/lg last id, seen last subscriber lookup, exp idle
-- deadline, mx earliest message expiry (0 none), xm latest expiry (-1 never, 0 none).
-- Stream entries: id "time-tag", fields b body, t content type, h has-type, x expires, d
-- delete-oldest-received min (-1 off), n receipts counted (1: published where
-- push_min_message_recipients is set, §5.5; the count is the channel hash's field "r" .. id).
local c, m, w, epoch = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local op, nodePrefix, notify = ARGV[1], ARGV[2], ARGV[3]
-- On Redis Cluster the node and notification channels are shard channels of this slot
-- ("...node{tag}:", a prefix no single-Redis name ends with): announcements reach only
-- this slot's master and the nodes subscribed there (protocol.md §13, Redis Cluster).
local sharded = string.sub(nodePrefix, -2) == '}:'
local PUBLISH = sharded and 'SPUBLISH' or 'PUBLISH'
local NUMSUB = sharded and 'SHARDNUMSUB' or 'NUMSUB'
local t = redis.call('TIME')
local now = tonumber(t[1])
-- generations start at the creation millisecond: below 2^53 and printed whole by Lua
local nowms = now * 1000 + math.floor(tonumber(t[2]) / 1000)

local function num(v) if v then return tonumber(v) end return 0 end

-- The channel hash's own fields are read once per script (one HMGET) and kept in step with
-- every write this script makes to them (a script runs alone): a publish read them with 8
-- HGETs, a third of its commands. The stream's length likewise (one XLEN, then counted).
local CF = {'g', 'lt', 'lg', 'seen', 'exp', 'mx', 'xm'}
local ch = nil
local function hget(f)
  if ch == nil then
    ch = {}
    local v = redis.call('HMGET', c, unpack(CF))
    for i, k in ipairs(CF) do ch[k] = v[i] end
  end
  return num(ch[f])
end
-- A publish writes its fields once, in one HSET before it sets the keys' expiry (flush):
-- each field it changed was an HSET or HINCRBY of its own (issue 15, commands per publish).
local deferred, dirty = false, {}
local function hset(...)
  local a = {...}
  if deferred then
    hget('g')
    for i = 1, #a, 2 do
      ch[a[i]] = a[i + 1]
      dirty[a[i]] = true
    end
    return
  end
  redis.call('HSET', c, unpack(a))
  if ch ~= nil then
    for i = 1, #a, 2 do ch[a[i]] = a[i + 1] end
  end
end
local function flush()
  local a = {}
  for _, k in ipairs(CF) do
    if dirty[k] then
      a[#a + 1] = k
      a[#a + 1] = ch[k]
      dirty[k] = nil
    end
  end
  if #a > 0 then redis.call('HSET', c, unpack(a)) end
end
-- The channel exists (its hash always holds the generation), read with the hash's fields.
local function exists()
  return hget('g') ~= 0
end
local slen = nil
local function xlen()
  if slen == nil then slen = redis.call('XLEN', m) end
  return slen
end
local function xdel(id)
  local n = redis.call('XDEL', m, id)
  if slen ~= nil then slen = slen - n end
  return n
end
local function incrGeneration()
  local g = redis.call('HINCRBY', c, 'g', 1)
  if ch ~= nil then ch['g'] = g end
  return g
end

-- protocol.md §5.6: every expired message goes, wherever it is.
local function expireMessages()
  local mx = hget('mx')
  if mx == 0 or now <= mx then return end
  local earliest = 0
  for _, e in ipairs(redis.call('XRANGE', m, '-', '+')) do
    local x = tonumber(e[2][8])
    if x ~= 0 and now > x then
      xdel(e[1])
      if e[2][12] == '1' then redis.call('HDEL', c, 'r' .. e[1]) end
    elseif x ~= 0 and (earliest == 0 or x < earliest) then
      earliest = x
    end
  end
  hset('mx', earliest)
end

-- The counts' "seen" (see seen()) as live() read it: a script runs alone, so it holds until
-- the counts go (nil: not read yet in this script).
local wSeen = nil
-- The counts' hash was found empty (it does not exist): nothing to delete.
local wEmpty = false

-- Waiters of every node under the channel's current generation. A count's field is
-- "node:generation" (a re-registration without a script adds to it with HINCRBY, and one
-- that raced a publish lands in an old generation's field, never counted); a field of the
-- form "node" (a node of an earlier version) counts whatever its generation. A node whose
-- own pub/sub channel has no subscriber is gone.
local function live()
  local f = redis.call('HGETALL', w)
  wSeen = 0
  wEmpty = #f == 0
  if wEmpty then return 0 end
  local g = hget('g')
  local n, alive = 0, {}
  for i = 1, #f, 2 do
    if f[i] == 'seen' then -- the latest re-registration's time, not a count
      wSeen = tonumber(f[i + 1])
    else
      local cnt = tonumber(f[i + 1])
      local nd, fg = string.match(f[i], '^(.*):(%d+)$')
      if nd == nil then nd = f[i] end
      local ok = cnt > 0 and (fg == nil or tonumber(fg) == g)
      if ok then
        if alive[nd] == nil then
          alive[nd] = tonumber(redis.call('PUBSUB', NUMSUB, nodePrefix .. nd)[2]) > 0
        end
        ok = alive[nd]
      end
      if ok then n = n + cnt else redis.call('HDEL', w, f[i]) end
    end
  end
  return n
end

-- This node's counts, whatever their generation (a catch-up counts its waiters again).
local function forget(node)
  for _, k in ipairs(redis.call('HKEYS', w)) do
    if k == node or string.sub(k, 1, #node + 1) == node .. ':' then redis.call('HDEL', w, k) end
  end
end

-- A new channel: ids above every id given before a Redis that lost its data (the epoch
-- key is gone with it), generations above every earlier channel of this name.
-- In the epoch's second its ids start at the next second, and at a tag of the current
-- microsecond (protocol.md §13): the Redis that lost its data may have started its own
-- epoch in this same second, and then it gave ids of the next second too, with tags from
-- the microsecond of their channel's creation, one more per publish. Each publish takes
-- more than a microsecond, so every tag it gave is below this one; ids starting at tag 0
-- repeated them, and a stream whose cursor was the repeated id never saw the new message.
-- A channel created in that next second starts at tag 1000000, above those channels' first
-- tags: ids are ordered by second then tag across channels too (a multiplexed stream's
-- backlog, §14.8), and from 0 it sorted before channels created a moment earlier.
local function create(chTimeout)
  local e = num(redis.call('GET', epoch))
  if e == 0 then
    e = now
    redis.call('SET', epoch, e)
  end
  local lt, lg = 0, 0
  if now <= e then lt, lg = e + 1, tonumber(t[2]) - 1
  elseif now == e + 1 then lt, lg = now, 999999 end
  hset('g', nowms, 'lt', lt, 'lg', lg, 'seen', now, 'exp', now + chTimeout, 'mx', 0, 'xm', 0)
end

-- The channel may be collected once empty, unwatched and idle (protocol.md §6.2).
-- noCounts: this script deleted the counts' hash (a publish), so it has no expiry to set.
local function settle(waiters, noCounts)
  local len = xlen()
  if len == 0 then hset('xm', 0) end
  local xm = hget('xm')
  flush()
  if waiters > 0 or xm == -1 then
    redis.call('PERSIST', c)
    redis.call('PERSIST', m)
    if not noCounts then redis.call('PERSIST', w) end
    return
  end
  local deadline = hget('exp')
  if xm + 1 > deadline then deadline = xm + 1 end
  if deadline <= now then deadline = now + 1 end
  redis.call('EXPIREAT', c, deadline)
  redis.call('EXPIREAT', m, deadline)
  if not noCounts then redis.call('EXPIREAT', w, deadline) end
end

-- "last requested": the channel's own, or a later one a re-registration without a script
-- left in the counts' hash (RedisBroker's plain path, protocol.md §13)
local function seen()
  if wSeen == nil then wSeen = num(redis.call('HGET', w, 'seen')) end
  return math.max(hget('seen'), wSeen)
end

local function info(waiters)
  return {xlen(), math.max(0, now - seen()), waiters}
end

-- §5.4: a received message goes if it is the oldest stored and enough remain.
local function deleteOldestReceived(id, d)
  if d < 0 then return end
  local first = redis.call('XRANGE', m, '-', '+', 'COUNT', 1)
  if #first == 1 and first[1][1] == id and xlen() > d then
    xdel(id)
    if first[1][2][12] == '1' then redis.call('HDEL', c, 'r' .. id) end
  end
end

-- §4.2: the first stored message after the cursor.
local function find(after)
  local r = redis.call('XRANGE', m, after, '+', 'COUNT', 1)
  if #r == 0 then return nil end
  return r[1]
end

-- §5.5: one more subscriber got stored message e (counted only where it is asked for).
local function received(e, n)
  if e[2][12] == '1' then redis.call('HINCRBY', c, 'r' .. e[1], n) end
end

local function found(e)
  local f = e[2]
  return {'f', e[1], f[2], f[4], tonumber(f[6]), tonumber(f[8]), tonumber(f[10])}
end

local function dropCounts()
  if wSeen == nil then wSeen = num(redis.call('HGET', w, 'seen')) end
  if wSeen > 0 and wSeen > hget('seen') then hset('seen', wSeen) end
  if not wEmpty then redis.call('DEL', w) end
  wSeen, wEmpty = 0, true
end

local function bump()
  local g = incrGeneration()
  dropCounts()
  return g
end

if op == 'publish' then
  -- ARGV 4 key, 5 body, 6 content type, 7 has type, 8 message timeout, 9 max messages,
  -- 10 delete-oldest-received min (-1 off), 11 channel timeout, 12 min recipients (-1 off),
  -- 13 min messages
  local key, body, ctype, hasType = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
  local timeout, maxMessages, d, chTimeout = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
  local minRecipients, minMessages = tonumber(ARGV[12] or '-1'), tonumber(ARGV[13] or '0')
  local counted = minRecipients >= 0 and '1' or '0'
  deferred = true
  if not exists() then create(chTimeout) end
  expireMessages()
  -- §3.2 ids from Redis's clock, never backwards, strictly increasing on the channel.
  local lt, lg = hget('lt'), hget('lg')
  local time, tag = now, 0
  if lt >= now then time, tag = lt, lg + 1 end
  local id = time .. '-' .. tag
  local x = 0
  if timeout > 0 then x = now + timeout end
  hset('lt', time, 'lg', tag, 'exp', now + chTimeout)
  if maxMessages > 0 then
    redis.call('XADD', m, id, 'b', body, 't', ctype, 'h', hasType, 'x', x, 'd', d, 'n', counted)
    if slen ~= nil then slen = slen + 1 end
    local mx, xm = hget('mx'), hget('xm')
    if x ~= 0 and (mx == 0 or x < mx) then hset('mx', x) end
    if x == 0 then xm = -1 elseif xm ~= -1 and x > xm then xm = x end
    if xm ~= hget('xm') then hset('xm', xm) end
    if xlen() > maxMessages then -- §5.3: the single oldest
      local oldest = redis.call('XRANGE', m, '-', '+', 'COUNT', 1)
      xdel(oldest[1][1])
      if oldest[1][2][12] == '1' then redis.call('HDEL', c, 'r' .. oldest[1][1]) end
    end
  end
  -- §5.5: after the trim, the oldest goes once received often enough, never this message
  if minRecipients >= 0 and xlen() > minMessages then
    local oldest = redis.call('XRANGE', m, '-', '+', 'COUNT', 1)
    if #oldest == 1 and oldest[1][1] ~= id and num(redis.call('HGET', c, 'r' .. oldest[1][1])) >= minRecipients then
      xdel(oldest[1][1])
      redis.call('HDEL', c, 'r' .. oldest[1][1])
    end
  end
  local waiting = live()
  -- §5.5: every waiter of every node gets it
  if waiting > 0 and maxMessages > 0 and counted == '1' then redis.call('HINCRBY', c, 'r' .. id, waiting) end
  local g = hget('g') + 1
  hset('g', g)
  dropCounts()
  if waiting > 0 then deleteOldestReceived(id, d) end
  settle(0, true)
  -- Announced only to end waiters: with none counted on any node, no node parks one that it
  -- could end (a registration still on its way finds this message by its cursor, a plain
  -- one finds the generation moved), and no node is woken for nothing (protocol.md §13).
  -- P gen time tag keylen hasType typelen x d | key type body
  if waiting > 0 then
    redis.call(PUBLISH, notify, 'P ' .. g .. ' ' .. time .. ' ' .. tag .. ' ' .. #key .. ' ' .. hasType .. ' '
        .. #ctype .. ' ' .. x .. ' ' .. d .. '|' .. key .. ctype .. body)
  end
  local i = info(0)
  return {waiting, i[1], i[2], i[3], time, tag}
end

if op == 'subscribe' then
  -- A node's registrations for one channel, in the order they arrived, each judged as if
  -- it had its own script (§4.3, §7), but the channel is read, counted and settled once
  -- per batch, so a fan-out's re-subscriptions cost Redis little per waiter.
  -- ARGV 4 key, 5 node, 6 reset the node's count first, then 6 per waiter: cursor ("(t-g"
  -- or "-"), concurrency (b/f/l), authorized only, max subscribers, ignore queue, channel
  -- timeout. Each answer: {'f', message...}, {'=' (the message found just before)},
  -- {'r', refusal} or {'w', generation it waits under}.
  local key, node = ARGV[4], ARGV[5]
  if ARGV[6] == '1' then forget(node) end
  local exists = exists()
  -- counts without their channel are left by a re-registration that raced a delete
  if not exists then redis.call('DEL', w) end
  if exists then expireMessages() end
  local current = -1 -- counted once the channel exists
  local added, touched, chTimeout = 0, false, 0
  local out, last, cache, gen = {}, nil, {}, nil
  for i = 7, #ARGV, 6 do
    local after, mode, authorizedOnly = ARGV[i], ARGV[i + 1], ARGV[i + 2] == '1'
    local maxSubs, ignoreQueue, timeout = tonumber(ARGV[i + 3]), ARGV[i + 4] == '1', tonumber(ARGV[i + 5])
    local r = nil
    if not exists and authorizedOnly then
      r = {'r', 'NO_SUCH_CHANNEL'} -- §4.3 step 1
    else
      if not exists then
        create(timeout)
        exists = true
      end
      if current < 0 then current = live() end
      if current > 0 and maxSubs ~= 0 and current >= maxSubs then
        r = {'r', 'TOO_MANY_SUBSCRIBERS'}
      elseif current > 0 and mode == 'f' then
        r = {'r', 'CONFLICT'}
      else
        touched, chTimeout = true, math.max(chTimeout, timeout)
        local e = nil
        if not ignoreQueue then
          e = cache[after]
          if e == nil then
            e = find(after) or false
            cache[after] = e
          end
        end
        if current > 0 and mode == 'l' then
          local g = bump() -- the waiters before it, this batch's too, get 409
          current, added, gen = 0, 0, g
          redis.call(PUBLISH, notify, 'K ' .. g .. ' 0 0 ' .. #key .. ' 0 0 0 0|' .. key)
        end
        if e then
          received(e, 1)
          local d = tonumber(e[2][10])
          if d >= 0 and xlen() > d then
            deleteOldestReceived(e[1], d)
            cache = {}
          end
          r = found(e)
        else
          current, added = current + 1, added + 1
          if gen == nil then gen = hget('g') end
          r = {'w', gen}
        end
      end
    end
    if r[1] == 'f' and last == r[2] then r = {'='} elseif r[1] == 'f' then last = r[2] end
    out[#out + 1] = r
  end
  if added > 0 then redis.call('HINCRBY', w, node .. ':' .. gen, added) end
  if touched then hset('exp', now + chTimeout, 'seen', now) end
  if exists then
    if current < 0 then current = live() end
    settle(current)
  end
  return out
end

if op == 'poll' then
  -- ARGV 4 key, 5 cursor, 6 channel timeout
  local chTimeout = tonumber(ARGV[6])
  if not exists() then create(chTimeout) end
  expireMessages()
  hset('exp', now + chTimeout, 'seen', now)
  local e = find(ARGV[5])
  settle(live())
  if e then return found(e) end
  return {'n'}
end

if op == 'info' then
  -- ARGV 4 key, 5 channel timeout
  if not exists() then return {'none'} end
  expireMessages()
  hset('exp', now + tonumber(ARGV[5]))
  local n = live()
  settle(n)
  local i = info(n)
  return {'i', i[1], i[2], i[3]}
end

if op == 'delete' then
  -- ARGV 4 key
  if not exists() then return {'none'} end
  expireMessages()
  local i = info(live())
  local g = bump()
  redis.call('DEL', c, m, w)
  ch, slen = nil, nil
  -- as a publish: announced only when some node has a waiter to answer 410
  if i[3] > 0 then redis.call(PUBLISH, notify, 'D ' .. g .. ' 0 0 ' .. #ARGV[4] .. ' 0 0 0 0|' .. ARGV[4]) end
  return {'i', i[1], i[2], i[3]}
end

if op == 'cancel' then
  -- ARGV 4 node, 5 generation the waiters registered under, 6 how many (1 if absent: the
  -- cancels of one IO turn go together)
  if hget('g') ~= tonumber(ARGV[5]) then return 0 end
  local field = ARGV[4] .. ':' .. ARGV[5]
  local n = redis.call('HINCRBY', w, field, -tonumber(ARGV[6] or '1'))
  if n <= 0 then redis.call('HDEL', w, field) end
  settle(live())
  return 1
end

if op == 'cursor' then
  -- ARGV 4 nth (0: not asked). Answers {forgotten, before}: the id of the newest message
  -- published and no longer stored, or '' (§14.5, the gap signal), and where a subscriber
  -- asking for the Nth stored message starts ('' nothing stored, 'oldest', or an id; §14.7),
  -- as MessageBuffer.forgottenThrough and before. Changes nothing but expiry.
  if not exists() then return {'', ''} end
  expireMessages()
  local forgotten = ''
  local lt, lg = hget('lt'), hget('lg')
  local newest = redis.call('XREVRANGE', m, '+', '-', 'COUNT', 1)
  local last = lt .. '-' .. lg
  if lt > 0 and lg >= 0 and (#newest == 0 or newest[1][1] ~= last) then
    forgotten = last -- the newest one published is gone (or was never stored, §5.7)
  elseif #newest > 0 then
    local xi = redis.call('XINFO', 'STREAM', m)
    for i = 1, #xi, 2 do
      if xi[i] == 'max-deleted-entry-id' and xi[i + 1] ~= '0-0' then forgotten = xi[i + 1] end
    end
  end
  local before, nth, size = '', tonumber(ARGV[4]), xlen()
  if nth ~= 0 and size > 0 then
    local i
    if nth > 0 then i = math.min(nth, size) - 1 else i = math.max(size + nth, 0) end
    if i == 0 then
      before = 'oldest'
    else
      local r = redis.call('XRANGE', m, '-', '+', 'COUNT', i)
      before = r[i][1]
    end
  end
  return {forgotten, before}
end

return redis.error_reply('unknown op ' .. tostring(op))
