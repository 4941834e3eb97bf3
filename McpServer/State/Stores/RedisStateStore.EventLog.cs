using System.Globalization;
using StackExchange.Redis;

namespace Prynai.McpServer.State.Stores;

/// <summary>
/// Event logs as sorted sets (key <c>prynai:events:{log}</c>, score = id, member = <c>id:expiresAtMs:data</c>), each
/// append and read one Lua script on the server's clock. Ids are the server's microsecond clock (or one more than the
/// log's last id), so they keep increasing even after a log expired and started again; one key per log.
/// </summary>
internal sealed partial class RedisStateStore
{
    private const string EventLogPrefix = "prynai:events:";

    private const string AppendScript = """
        local key, max, ttl = KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3])
        local t = redis.call('TIME')
        local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local id = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local prev = 0
        local last = redis.call('ZREVRANGE', key, 0, 0, 'WITHSCORES')
        if #last > 0 then prev = tonumber(last[2]) end
        if id <= prev then id = prev + 1 end
        local sid = string.format('%.0f', id)
        redis.call('ZADD', key, sid, sid .. ':' .. string.format('%.0f', now_ms + ttl) .. ':' .. ARGV[1])
        redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. string.format('%.0f', (now_ms - ttl) * 1000))
        redis.call('ZREMRANGEBYRANK', key, 0, -(max + 1))
        redis.call('PEXPIRE', key, ttl)
        return { sid, string.format('%.0f', prev) }
        """;

    private const string ReadScript = """
        local t = redis.call('TIME')
        local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local out = {}
        for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')) do
          local a = string.find(m, ':', 1, true)
          local b = string.find(m, ':', a + 1, true)
          if tonumber(string.sub(m, a + 1, b - 1)) > now_ms then out[#out + 1] = m end
        end
        return out
        """;

    public Task<AppendedEvent> AppendEventAsync(string log, string data, EventLogLimits limits, CancellationToken cancellationToken) =>
        RunAsync(async db =>
        {
            var result = (RedisResult[])(await db.ScriptEvaluateAsync(AppendScript, [EventLogPrefix + log],
                [data, limits.MaxEvents, (long)limits.TimeToLive.TotalMilliseconds]))!;
            return new AppendedEvent(ParseId((string)result[0]!), ParseId((string)result[1]!));
        });

    public Task<IReadOnlyList<LoggedEvent>> ReadEventsAsync(string log, long afterId, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<LoggedEvent>>(async db =>
        {
            var members = (RedisResult[])(await db.ScriptEvaluateAsync(ReadScript, [EventLogPrefix + log], [afterId]))!;
            return members.Select(member =>
            {
                var text = (string)member!;
                var idEnd = text.IndexOf(':', StringComparison.Ordinal);
                var expiryEnd = text.IndexOf(':', idEnd + 1);
                return new LoggedEvent(ParseId(text[..idEnd]), text[(expiryEnd + 1)..]);
            }).ToList();
        });

    public Task DeleteEventLogAsync(string log, CancellationToken cancellationToken) =>
        RunAsync(db => db.KeyDeleteAsync(EventLogPrefix + log));

    private static long ParseId(string text) => long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
