package dev.tandem.presence.redis;

import dev.tandem.cluster.RedisScript;

/**
 * The Lua scripts behind {@link RedisPresenceStore}, one per store operation that must be atomic. Every
 * script takes the key prefix as {@code ARGV[1]} and derives its keys from it (so it targets a single Redis,
 * not Redis Cluster). Layout, with {@code P} the prefix and {@code {c}} a channel:
 * <pre>
 * P presence:{c}:entries     hash  connection → "lastSeen|expiresAt|{u,n,s,st,a}" (user, owner node, state, status, lastActive)
 * P presence:{c}:order       zset  connection → join sequence (members in join order)
 * P presence:{c}:user:U      zset  connection → join sequence (one user's connections in the channel)
 * P presence:{c}:users       hash  user → connections in the channel (HLEN = distinct users)
 * P presence:due             zset  "channel\nconnection" → expiresAt (the expiry index; 0 = owner node dead)
 * P presence:seq             counter for join sequences
 * P presence:user:U:channels set   channels the user is present in
 * P presence:user:U:seen     string the user's last seen time, kept {@code retention} after they leave
 * P presence:node:N          set   "channel\nconnection" of the entries node N owns
 * P presence:events          pub/sub channel of every change: {o: origin node, t: sent at, l: left at, c, u, b, a,
 *                            n: the channel's users and connections after it}
 * </pre>
 * Every write publishes its change from inside the script, so all nodes receive changes in the order Redis
 * applied them. Channel and user keys get a {@code retention} expiry on every write, so a cluster that
 * disappears entirely leaves nothing behind for long.
 */
final class PresenceScripts {
    private static final String PRELUDE = """
            local P = ARGV[1]
            local function ck(ch, part) return P .. 'presence:{' .. ch .. '}:' .. part end
            local function uk(user, part) return P .. 'presence:user:' .. user .. ':' .. part end
            local function indexed(ch, index)
              local ids = redis.call('ZRANGE', ck(ch, index), 0, -1)
              local out = {}
              for _, id in ipairs(ids) do
                local v = redis.call('HGET', ck(ch, 'entries'), id)
                if v then
                  out[#out + 1] = id
                  out[#out + 1] = v
                end
              end
              return out
            end
            local function userEntries(ch, user) return indexed(ch, 'user:' .. user) end
            local function counts(ch) return {redis.call('HLEN', ck(ch, 'users')), redis.call('HLEN', ck(ch, 'entries'))} end
            local function seen(user, at, retention)
              local k = uk(user, 'seen')
              local current = redis.call('GET', k)
              if not current or tonumber(at) > tonumber(current) then
                redis.call('SET', k, at, 'PX', retention)
              else
                redis.call('PEXPIRE', k, retention)
              end
            end
            local function keep(retention, ...)
              for _, k in ipairs({...}) do redis.call('PEXPIRE', k, retention) end
            end
            local function publish(origin, ch, user, before, after, leftAt, n)
              local t = redis.call('TIME')
              local sent = tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
              redis.call('PUBLISH', P .. 'presence:events', cjson.encode({o = origin, t = sent, l = leftAt, c = ch,
                u = user, b = before, a = after, n = n}))
            end
            local function parts(v)
              local lastSeen, expiresAt, rest = string.match(v, '^([^|]*)|([^|]*)|(.*)$')
              return lastSeen, expiresAt, rest
            end
            """;

    /**
     * ARGV: prefix, node, channel, connection, user, lastSeen, expiresAt, json, retention → {before, after,
     * {users, connections}}.
     */
    static final RedisScript PUT = new RedisScript(PRELUDE + """
            local node, ch, conn, user, lastSeen, expiresAt, json, retention =
              ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], tonumber(ARGV[9])
            local E, member = ck(ch, 'entries'), ch .. '\\n' .. conn
            local before = userEntries(ch, user)
            if redis.call('HEXISTS', E, conn) == 0 then
              local seq = redis.call('INCR', P .. 'presence:seq')
              redis.call('ZADD', ck(ch, 'order'), seq, conn)
              redis.call('ZADD', ck(ch, 'user:' .. user), seq, conn)
              redis.call('HINCRBY', ck(ch, 'users'), user, 1)
              redis.call('SADD', uk(user, 'channels'), ch)
            end
            redis.call('SADD', P .. 'presence:node:' .. node, member)
            redis.call('HSET', E, conn, lastSeen .. '|' .. expiresAt .. '|' .. json)
            redis.call('ZADD', P .. 'presence:due', expiresAt, member)
            seen(user, lastSeen, retention)
            keep(retention, E, ck(ch, 'order'), ck(ch, 'user:' .. user), ck(ch, 'users'), uk(user, 'channels'),
              P .. 'presence:node:' .. node)
            local after = userEntries(ch, user)
            local n = counts(ch)
            publish(node, ch, user, before, after, lastSeen, n)
            return {before, after, n}
            """);

    /**
     * ARGV: prefix, node, channel, connection, mode ({@code remove} or {@code expire}), now, retention →
     * {user, before, after, {users, connections}}; user is empty when nothing was removed (gone, or refreshed
     * since it came due).
     */
    static final RedisScript REMOVE = new RedisScript(PRELUDE + """
            local node, ch, conn, mode, now, retention = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
            local E, X, member = ck(ch, 'entries'), P .. 'presence:due', ch .. '\\n' .. conn
            local v = redis.call('HGET', E, conn)
            if not v then
              redis.call('ZREM', X, member)
              return {'', {}, {}, counts(ch)}
            end
            if mode == 'expire' then
              local due = redis.call('ZSCORE', X, member)
              if due and tonumber(due) > tonumber(now) then return {'', {}, {}, counts(ch)} end
            end
            local _, _, rest = parts(v)
            local e = cjson.decode(rest)
            local user, owner = e.u, e.n
            local before = userEntries(ch, user)
            redis.call('HDEL', E, conn)
            redis.call('ZREM', ck(ch, 'order'), conn)
            redis.call('ZREM', ck(ch, 'user:' .. user), conn)
            redis.call('ZREM', X, member)
            redis.call('SREM', P .. 'presence:node:' .. owner, member)
            if redis.call('HINCRBY', ck(ch, 'users'), user, -1) <= 0 then redis.call('HDEL', ck(ch, 'users'), user) end
            local after = userEntries(ch, user)
            local leftAt = now
            if #after == 0 then
              redis.call('SREM', uk(user, 'channels'), ch)
              if mode == 'expire' then
                leftAt = '0'
                for i = 2, #before, 2 do
                  local lastSeen = parts(before[i])
                  if tonumber(lastSeen) > tonumber(leftAt) then leftAt = lastSeen end
                end
              end
              seen(user, leftAt, retention)
            end
            local n = counts(ch)
            publish(node, ch, user, before, after, leftAt, n)
            return {user, before, after, n}
            """);

    /** ARGV: prefix, channel, connection, lastSeen, expiresAt, retention → 1 when refreshed, 0 when gone. */
    static final RedisScript TOUCH = new RedisScript(PRELUDE + """
            local ch, conn, lastSeen, expiresAt, retention = ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
            local E = ck(ch, 'entries')
            local v = redis.call('HGET', E, conn)
            if not v then return 0 end
            local _, _, rest = parts(v)
            redis.call('HSET', E, conn, lastSeen .. '|' .. expiresAt .. '|' .. rest)
            redis.call('ZADD', P .. 'presence:due', expiresAt, ch .. '\\n' .. conn)
            local user = cjson.decode(rest).u
            seen(user, lastSeen, retention)
            keep(retention, E, ck(ch, 'order'), ck(ch, 'user:' .. user), ck(ch, 'users'), uk(user, 'channels'))
            return 1
            """);

    /** ARGV: prefix, channel → flat {connection, value, ...} in join order. */
    static final RedisScript MEMBERS = new RedisScript(PRELUDE + """
            return indexed(ARGV[2], 'order')
            """);

    /** ARGV: prefix, channel → {users, connections}. */
    static final RedisScript COUNTS = new RedisScript(PRELUDE + """
            return counts(ARGV[2])
            """);

    /** ARGV: prefix, user → {lastSeen or '-1', flat {channel, connection, value, ...}}. */
    static final RedisScript USER = new RedisScript(PRELUDE + """
            local user = ARGV[2]
            local out = {}
            for _, ch in ipairs(redis.call('SMEMBERS', uk(user, 'channels'))) do
              local entries = userEntries(ch, user)
              for i = 1, #entries, 2 do
                out[#out + 1] = ch
                out[#out + 1] = entries[i]
                out[#out + 1] = entries[i + 1]
              end
            end
            return {redis.call('GET', uk(user, 'seen')) or '-1', out}
            """);

    /**
     * ARGV: prefix, node → how many entries of the (dead) node were made due now: their expiry index score
     * drops to 0, so every node's next sweep expires them through {@link #REMOVE} and announces the leaves.
     */
    static final RedisScript EVICT_NODE = new RedisScript(PRELUDE + """
            local members = redis.call('SMEMBERS', P .. 'presence:node:' .. ARGV[2])
            for _, member in ipairs(members) do
              redis.call('ZADD', P .. 'presence:due', 'XX', 0, member)
            end
            return #members
            """);

    private PresenceScripts() {
    }
}
