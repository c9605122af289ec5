-- The single write path: check versions, write state, number and log the events, atomically.
-- KEYS[1] = seq counter, KEYS[2] = event stream, KEYS[3] = idempotency key (used only when plan.idem
--           is set: a key is always passed, inside the hash tag, so Redis Cluster sees one slot),
-- KEYS[4..] = touched keys
-- ARGV[1] = JSON plan: {expect:[{k,vk,f,v}], put:[{k,vk,f,v,n}], del:[{k,vk,f}], geoAdd:[{k,lng,lat,m}],
--           geoRem:[{k,m}], zAdd:[{k,m,s}], zRem:[{k,m}], events:[{t,at,a,d}], idemTtl, result}
-- Nothing is trimmed here: an entry leaves the stream only once it is in the database (the
-- projector trims, keeping EVENT_RETENTION for consoles to resume from; history/trim.ts).
-- Each state hash `k` has a companion hash `vk` (field -> version). Versions are compared there,
-- never by decoding the stored JSON: cjson refuses some escapes JSON allows (a lone surrogate,
-- `\ud800`), and one such value in user text would make every later commit on the entity fail.
-- Stored values `v`, event data `d` and the actor `a` arrive already JSON-encoded by Node and are
-- written as they are; nothing here parses user text.
local plan = cjson.decode(ARGV[1])
if plan.idem then
  local prior = redis.call('GET', KEYS[3])
  if prior then return {'dup', prior} end
end
for _, e in ipairs(plan.expect or {}) do
  if e.v == cjson.null or e.v == nil then
    if redis.call('HEXISTS', e.k, e.f) == 1 then return {'conflict', e.k, e.f} end
  else
    -- No version on record (absent, or data not yet migrated) never matches: refuse rather than guess.
    local ver = tonumber(redis.call('HGET', e.vk, e.f))
    if ver ~= e.v then return {'conflict', e.k, e.f} end
  end
end
for _, p in ipairs(plan.put or {}) do
  redis.call('HSET', p.k, p.f, p.v)
  if p.n == cjson.null or p.n == nil then
    redis.call('HDEL', p.vk, p.f)
  else
    redis.call('HSET', p.vk, p.f, p.n)
  end
end
for _, d in ipairs(plan.del or {}) do
  redis.call('HDEL', d.k, d.f)
  redis.call('HDEL', d.vk, d.f)
end
for _, g in ipairs(plan.geoAdd or {}) do redis.call('GEOADD', g.k, g.lng, g.lat, g.m) end
for _, g in ipairs(plan.geoRem or {}) do redis.call('ZREM', g.k, g.m) end
-- The index of finished items (EventStore derives it from what is put and deleted).
for _, z in ipairs(plan.zAdd or {}) do redis.call('ZADD', z.k, z.s, z.m) end
for _, z in ipairs(plan.zRem or {}) do redis.call('ZREM', z.k, z.m) end
local first = 0
local last = 0
for _, ev in ipairs(plan.events or {}) do
  local seq = redis.call('INCR', KEYS[1])
  if first == 0 then first = seq end
  last = seq
  local json = '{"seq":' .. seq .. ',"type":' .. cjson.encode(ev.t) .. ',"at":' .. cjson.encode(ev.at)
  if ev.a and ev.a ~= cjson.null then json = json .. ',"actor":' .. ev.a end
  json = json .. ',"data":' .. ev.d .. '}'
  redis.call('XADD', KEYS[2], seq .. '-0', 'e', json)
end
if plan.idem then
  redis.call('SET', KEYS[3], plan.result or '', 'EX', plan.idemTtl)
end
return {'ok', first, last}
