/**
 * Lua run inside Redis, so that every replica's decision is one atomic step on one clock (Redis's TIME).
 * The log is a sorted set of held permits scored by when each stops counting: a lease while the request is
 * under way (so a replica that dies cannot hold a permit forever), then one window after its answer.
 * Times are microseconds since the epoch (below 2^53, exact in Lua's doubles), written with %.0f because
 * Lua's tostring would switch to a lossy exponent form.
 *
 * KEYS[1] the command's log, KEYS[2] the RoomId's key, KEYS[3] the pace (the earliest time the next queued
 * request may be granted), KEYS[4] the earliest time of any grant while the limit sheds, KEYS[5] the member's
 * mark of a cancel (CANCEL_SCRIPT) that came first. All carry the same hash tag, for Redis Cluster.
 *
 * ARGV: limit, lease µs, has key (1/0), member, queued (1/0), pacing interval µs, catch-up grants, least gap µs.
 * A queued request is paced as in memory-limiter.ts: queued grants go out `span / limit` apart on average
 * (with a few of catch-up), so a queue is not released in one burst whose slow answers would slow every cycle.
 * A least gap above 0 (while the limit sheds: keepApartWhileShedding there) keeps the next grant, queued or not,
 * at least that far from this one, apart from the pace.
 */
export const ACQUIRE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local leaseUs = tonumber(ARGV[2])
local hasKey = ARGV[3] == '1'
local member = ARGV[4]
local queued = ARGV[5] == '1'
local interval = tonumber(ARGV[6])
local catchUp = tonumber(ARGV[7])
local leastGap = tonumber(ARGV[8])
if redis.call('EXISTS', KEYS[5]) == 1 then return {0, 'global', '0'} end
if hasKey then
  local pttl = redis.call('PTTL', KEYS[2])
  if pttl > 0 then return {0, 'room', string.format('%.0f', pttl * 1000)} end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now))
if redis.call('ZCARD', KEYS[1]) >= limit then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, 'global', string.format('%.0f', tonumber(first[2]) - now)}
end
local apartUntil = tonumber(redis.call('GET', KEYS[4]) or '0')
if now < apartUntil then return {0, 'global', string.format('%.0f', apartUntil - now)} end
if queued then
  local nextAt = tonumber(redis.call('GET', KEYS[3]) or '0')
  if now < nextAt then return {0, 'global', string.format('%.0f', nextAt - now)} end
  local base = math.max(nextAt, now - catchUp * interval)
  redis.call('SET', KEYS[3], string.format('%.0f', base + interval), 'PX', math.ceil(leaseUs / 1000))
end
if leastGap > 0 then
  redis.call('SET', KEYS[4], string.format('%.0f', now + leastGap), 'PX', math.ceil(leastGap / 1000) + 1)
end
redis.call('ZADD', KEYS[1], string.format('%.0f', now + leaseUs), member)
redis.call('PEXPIRE', KEYS[1], math.ceil(leaseUs / 1000) + 1000)
if hasKey then redis.call('SET', KEYS[2], member, 'PX', math.ceil(leaseUs / 1000)) end
return {1, member}
`;

/** The answer is in: the permit (and the key) count for one more window from now. ARGV: span µs, member. */
export const RELEASE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local spanUs = tonumber(ARGV[1])
redis.call('ZADD', KEYS[1], string.format('%.0f', now + spanUs), ARGV[2])
if ARGV[3] == '1' then redis.call('SET', KEYS[2], ARGV[2], 'PX', math.ceil(spanUs / 1000)) end
return 1
`;

/**
 * Takes back a grant its replica gave up on (its command timed out, or the connection failed, so the answer never
 * came): nothing was sent with it, so neither the permit nor the RoomId counts. Any number of times, and in either
 * order with the acquire itself: one that comes later finds the mark and takes nothing.
 * KEYS as RELEASE_SCRIPT's, then the mark; ARGV: member, has key (1/0), how long the mark stays (the lease, ms).
 */
export const CANCEL_SCRIPT = `
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] == '1' and redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
return 1
`;

/**
 * Hands over what one replica sent on its own while Redis was away. ARGV[1] the span, ARGV[2] how many
 * sends, then each one's answer age (µs ago), then the keys' answer ages; KEYS[1] the log, KEYS[2..] the keys.
 * The log's expiry is only ever extended: it holds the other replicas' leases too.
 */
export const IMPORT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local span = tonumber(ARGV[1])
local count = tonumber(ARGV[2])
for i = 1, count do
  local freeAt = now - tonumber(ARGV[2 + i]) + span
  redis.call('ZADD', KEYS[1], string.format('%.0f', freeAt), 'import:' .. string.format('%.0f', now) .. ':' .. i)
end
local ttl = math.ceil(span / 1000) + 1000
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
for k = 2, #KEYS do
  local ttl = math.ceil((span - tonumber(ARGV[2 + count + k - 1])) / 1000)
  if ttl > 0 and redis.call('PTTL', KEYS[k]) < ttl then redis.call('SET', KEYS[k], 'import', 'PX', ttl) end
end
return 1
`;
